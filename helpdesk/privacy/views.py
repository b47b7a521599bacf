"""Agents' pages of personal-data protection: usagers' requests, export, erasure, rectification.

Only holders of the PROTECT_DATA right (helpdesk.policy) reach them. Requesters are never
named in a URL: they are typed in posted forms, and pages reach a request by its id.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Stream, Template
from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.config import Settings
from helpdesk.db import attempt, utcnow
from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.privacy import requests as service
from helpdesk.privacy.access_export import chunks, collect, write_zip
from helpdesk.privacy.models import REQUEST_KIND_LABELS, DataRequest, RequestKind
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
AppSettings = NamedDependency[Settings]
BASE = "/protection-des-donnees"
CONFIRMATION = "oui"
DOWNLOAD_HEADERS = {"Cache-Control": "private, no-store", "Content-Security-Policy": "sandbox"}
NOTICES = {
    "enregistree": "La demande est enregistrée. Son échéance figure ci-dessous.",
    "repondue": "La demande est notée comme traitée. Elle quitte la liste des demandes en cours.",
    "effacee": "Les données personnelles du demandeur ont été effacées de {n} ticket(s). "
    "Les statistiques (démarche, dates, niveaux, délais) sont conservées.",
    "rectifiee": "Les coordonnées du demandeur ont été corrigées sur {n} ticket(s).",
}


class NewRequestForm(WebForm):
    """The registration form of a request."""

    kind: str = ""
    requester_email: str = ""
    requester_foreign_number: str = ""
    received_on: str = ""
    note: str = ""


class ErasureForm(WebForm):
    """The early erasure form: a reason, then a confirmation."""

    reason: str = ""
    confirm: str = ""


class RectificationForm(WebForm):
    """The corrected contact data and where the correction comes from."""

    requester_name: str = ""
    requester_email: str = ""
    requester_phone: str = ""
    reason: str = ""


class DataProtectionController(Controller):
    """The "Données personnelles" section of the console."""

    path = BASE

    @get("/", sync_to_thread=True)
    def requests_page(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The open requests, the nearest deadline first, and the registration form."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        form = NewRequestForm(kind=RequestKind.ACCESS, received_on=date.today().isoformat())
        return _list_page(db_session, agent, form, {})

    @post("/demandes", sync_to_thread=True)
    def register(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[NewRequestForm, FORM],
    ) -> Template | Redirect:
        """Register a request (deadline: one month), or show the form again with its errors."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        form = service.NewRequest(**data.model_dump())
        try:
            with attempt(db_session):
                created = service.open_request(
                    db_session,
                    agent=agent,
                    address=_address(request),
                    form=form,
                    today=date.today(),
                )
        except ValidationFailedError as error:
            return _list_page(db_session, agent, data, error.field_errors, status_code=422)
        return Redirect(f"{BASE}/demandes/{created.id}?fait=enregistree", status_code=303)

    @get("/demandes/{request_id:int}", sync_to_thread=True)
    def request_page(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        request_id: FromPath[int],
        fait: FromQuery[str] = "",
        n: FromQuery[str] = "",
    ) -> Template:
        """A request: what the helpdesk holds about the requester, and the actions."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        found = service.get_request(db_session, request_id)
        return _request_page(db_session, agent, found, notice=_notice(fait, n))

    @post("/demandes/{request_id:int}/export", status_code=200, sync_to_thread=True)
    def export(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        settings: AppSettings,
        request_id: FromPath[int],
    ) -> Stream:
        """The ZIP of everything held about the requester (summary.html, data.json, files)."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        found = service.get_request(db_session, request_id)
        export = collect(db_session, found, now=utcnow())
        summary = _render(request, "privacy/export_summary.html", export=export)
        handle = write_zip(export, summary_html=summary, storage_dir=settings.storage_dir)
        service.note_export(
            db_session,
            agent=agent,
            address=_address(request),
            request=found,
            tickets=len(export.tickets),
        )
        name = f"donnees-personnelles-demande-{request_id}.zip"
        return Stream(
            chunks(handle),
            media_type="application/zip",
            headers={**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/demandes/{request_id:int}/repondue", sync_to_thread=True)
    def answered(
        self, db_session: DbSession, agent: CurrentAgent, request_id: FromPath[int]
    ) -> Redirect:
        """Note that the request was answered."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        service.mark_answered(db_session, agent=agent, request_id=request_id)
        return Redirect(f"{BASE}/demandes/{request_id}?fait=repondue", status_code=303)

    @post("/demandes/{request_id:int}/effacement", sync_to_thread=True)
    def erase(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        settings: AppSettings,
        request_id: FromPath[int],
        data: Annotated[ErasureForm, FORM],
    ) -> Template | Redirect:
        """Erase the requester from their tickets: first a confirmation page, then the act."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        found = service.get_request(db_session, request_id)
        if len(data.reason.strip()) < 5 or data.confirm != CONFIRMATION:
            return _erasure_step(db_session, agent, found, data)
        try:
            with attempt(db_session):
                done = service.anonymise_requester(
                    db_session,
                    agent=agent,
                    address=_address(request),
                    request_id=request_id,
                    reason=data.reason,
                    storage_dir=settings.storage_dir,
                )
        except ValidationFailedError as error:
            found = service.get_request(db_session, request_id)
            return _request_page(db_session, agent, found, erasure=data, errors=error.field_errors)
        url = f"{BASE}/demandes/{request_id}?fait=effacee&n={done['tickets']}"
        return Redirect(url, status_code=303)

    @post("/demandes/{request_id:int}/rectification", sync_to_thread=True)
    def rectify(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        request_id: FromPath[int],
        data: Annotated[RectificationForm, FORM],
    ) -> Template | Redirect:
        """Correct the requester's contact data on their tickets, or show the errors."""
        ensure(db_session, agent, Action.PROTECT_DATA)
        service.get_request(db_session, request_id)
        change = service.Rectification(**data.model_dump())
        try:
            with attempt(db_session):
                changed = service.rectify_requester(
                    db_session,
                    agent=agent,
                    address=_address(request),
                    request_id=request_id,
                    change=change,
                )
        except ValidationFailedError as error:
            found = service.get_request(db_session, request_id)
            return _request_page(
                db_session, agent, found, rectification=data, errors=error.field_errors
            )
        return Redirect(f"{BASE}/demandes/{request_id}?fait=rectifiee&n={changed}", status_code=303)


def _erasure_step(
    session: Session, agent: Agent, found: DataRequest, data: ErasureForm
) -> Template:
    """The confirmation page, or the request page with the reason's error (422)."""
    if len(data.reason.strip()) < 5:
        errors = {"reason": "Indiquez le motif de l'effacement (5 caractères au moins)."}
        return _request_page(session, agent, found, erasure=data, errors=errors)
    return Template(
        "privacy/confirm_erasure.html",
        context={
            "agent": agent,
            "nav": "privacy",
            "data_request": found,
            "tickets": service.requester_tickets(session, found),
            "form": data,
            "base": BASE,
        },
    )


def _list_page(
    session: Session,
    agent: Agent,
    form: NewRequestForm,
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    """The list of open requests with the registration form."""
    return Template(
        "privacy/requests.html",
        context={
            "agent": agent,
            "nav": "privacy",
            "requests": service.open_requests(session),
            "today": date.today(),
            "kinds": REQUEST_KIND_LABELS,
            "form": form,
            "errors": errors,
            "base": BASE,
        },
        status_code=status_code,
    )


def _request_page(
    session: Session,
    agent: Agent,
    found: DataRequest,
    *,
    notice: dict[str, str] | None = None,
    erasure: ErasureForm | None = None,
    rectification: RectificationForm | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """A request's page; with errors, the form that caused them keeps its input (422)."""
    return Template(
        "privacy/request.html",
        context={
            "agent": agent,
            "nav": "privacy",
            "data_request": found,
            "today": date.today(),
            "kinds": REQUEST_KIND_LABELS,
            "tickets": service.requester_tickets(session, found),
            "erasure": erasure or ErasureForm(),
            "rectification": rectification or RectificationForm(),
            "errors": errors or {},
            "flash": notice,
            "base": BASE,
        },
        status_code=422 if errors else 200,
    )


def _notice(done: str, count: str) -> dict[str, str] | None:
    """What the last action did, said after its redirect."""
    text = NOTICES.get(done)
    if text is None:
        return None
    number = int(count) if count.isascii() and count.isdigit() and len(count) < 7 else 0
    return {"kind": "success", "text": text.format(n=number)}


def _address(request: Request[Any, Any, Any]) -> str:
    """The client's address, for the audit trail."""
    return request.client.host if request.client else "unknown"


def _render(request: Request[Any, Any, Any], name: str, **context: Any) -> str:
    """A template rendered to text with the application's environment (the ZIP's summary)."""
    engine = request.app.template_engine
    assert engine is not None, "create_app configures the templates"
    return str(engine.engine.get_template(name).render(**context))
