"""The référent space: their site's tickets, a new signalement, a signalement's thread."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template
from pydantic import Field, ValidationError
from sqlmodel import Session

from dossiers.catalog import CATALOG
from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Target, ticket_target
from helpdesk.auth.models import Agent
from helpdesk.db import attempt, require_id
from helpdesk.errors import ValidationFailedError
from helpdesk.incidents import notices
from helpdesk.incidents.service import linked_incidents
from helpdesk.intake.forms import MAX_CONTACT_BODY, Files, read_files
from helpdesk.kb.index import suggest
from helpdesk.policy.articles import readable_audiences
from helpdesk.referents import service
from helpdesk.referents.models import REPORT_KIND_LABELS, SEVERITY_LABELS
from helpdesk.referents.schemas import FIELD_LABELS, ReportForm, field_errors
from helpdesk.tickets.attachments import attachment_path
from helpdesk.tickets.listing import QueueFilters, list_tickets
from helpdesk.tickets.models import TicketEvent
from helpdesk.tickets.queries import history
from helpdesk.tickets.sealed_search import seal, words_from
from helpdesk.web.audit import record_beside
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.downloads import file_download
from helpdesk.web.forms import FormModel, WebForm

STATUS_WORDS = {
    "new": "Reçu",
    "open": "En cours de traitement",
    "waiting": "Précisions demandées",
    "resolved": "Résolu",
    "closed": "Clos",
}
FOLLOWED_EVENTS = frozenset(
    {
        "created",
        "status_changed",
        "reopened",
        "escalate",
        "return",
        "incident_linked",
        "incident_resolved",
    }
)
FORM_FIELDS = tuple(FIELD_LABELS)
PROCEDURE_LABELS = {procedure.code: procedure.label for procedure in CATALOG}
LIST_STATUSES = {
    "actifs": "En cours",
    "waiting": "Précisions demandées",
    "resolved": "Résolus",
    "closed": "Clos",
    "": "Tous",
}


def _choices() -> dict[str, Any]:
    """The choices of the signalement form."""
    return {
        "kinds": REPORT_KIND_LABELS,
        "severities": SEVERITY_LABELS,
        "procedures": CATALOG,
        "field_labels": FIELD_LABELS,
    }


class SpaceFilters(WebForm):
    """The space's filter form, posted so that the search words never travel in a URL."""

    q: str = ""
    status: str = ""
    procedure: str = ""


def _space(session: Session, agent: Agent, query: dict[str, str], secret: str) -> dict[str, Any]:
    """What the space shows: counts, the site's tickets (filtered), notices and banner."""
    site = service.site_of(session, agent)
    status = query.get("status", "actifs")
    words = words_from(secret, query)[:200]
    filters = QueueFilters(
        status=status if status in LIST_STATUSES else "actifs",
        q=words,
        sealed_q=seal(secret, words) if words else "",
        procedure=query.get("procedure", "")[:40],
        sort="recents",
        after=query.get("after", "")[:200],
    )
    read = notices.read_ids(session, agent=agent)
    return {
        "agent": agent,
        "nav": "referent",
        "site": site,
        "counts": service.site_counts(session, agent=agent),
        "page": list_tickets(session, agent=agent, filters=filters),
        "filters": filters,
        "list_statuses": LIST_STATUSES,
        "status_words": STATUS_WORDS,
        "procedures": CATALOG,
        "procedure_labels": PROCEDURE_LABELS,
        "notices": notices.notices_for(session, agent=agent, limit=10),
        "read_ids": read,
    }


def _detail(session: Session, agent: Agent, ticket_id: int, **extra: Any) -> dict[str, Any]:
    """What a signalement's page shows: details, incidents, public thread, followed history."""
    ticket = service.site_ticket(session, agent=agent, ticket_id=ticket_id)
    events: list[TicketEvent] = [e for e in history(session, ticket) if e.kind in FOLLOWED_EVENTS]
    return {
        "agent": agent,
        "nav": "referent",
        "ticket": ticket,
        "report": service.report_of(session, ticket_id=ticket_id),
        "incidents": linked_incidents(session, ticket_id=ticket_id),
        "thread": service.thread(session, ticket=ticket),
        "events": events,
        "status_words": STATUS_WORDS,
        "kinds": REPORT_KIND_LABELS,
        "severities": SEVERITY_LABELS,
        "procedure_labels": PROCEDURE_LABELS,
        "errors": {},
        "body": "",
        **extra,
    }


class ReportSend(FormModel):
    """The signalement form as sent (multipart): text as typed, the screenshots chosen."""

    kind: str = ""
    procedure: str = ""
    severity: str = ""
    affected_count: str = ""
    dossier_number: str = ""
    occurred_at: str = ""
    browser: str = ""
    subject: str = ""
    description: str = ""
    steps: str = ""
    intent: str = ""
    screenshots: list[UploadFile] = Field(default_factory=list)

    def values(self) -> dict[str, str]:
        """The text fields of the signalement, as typed."""
        return {name: getattr(self, name) for name in FORM_FIELDS}


assert set(FORM_FIELDS) <= set(ReportSend.model_fields), "signalement form fields"


class AnswerSend(FormModel):
    """The référent's answer in the thread (multipart)."""

    body: str = ""
    screenshots: list[UploadFile] = Field(default_factory=list)


MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)


def _new_page(context: dict[str, Any], status_code: int = 200) -> Template:
    """The signalement form page."""
    return Template(
        "referents/new.html", context={**_choices(), **context}, status_code=status_code
    )


class ReferentController(Controller):
    """Pages of the référent space (référents only; everyone else is refused)."""

    path = "/referent"

    @get("/", sync_to_thread=True)
    def space(
        self, request: HTMXRequest, db_session: DbSession, agent: CurrentAgent
    ) -> Template | Redirect:
        """The site's tickets with counts, search and the latest notices."""
        service.ensure_referent(db_session, agent)
        query = {k: v for k, v in request.query_params.items()}
        context = _space(db_session, agent, query, request.app.state.settings.secret)
        if query.get("q") and not request.htmx:  # an old link: answer with the sealed address
            return Redirect(f"/referent/?{context['filters'].query_string()}", status_code=303)
        name = "referents/_rows.html" if request.htmx else "referents/space.html"
        return Template(name, context=context)

    @post("/", sync_to_thread=True)
    def filter_space(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[SpaceFilters, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """The posted search, back as the space's address with the words sealed."""
        service.ensure_referent(db_session, agent)
        context = _space(db_session, agent, data.model_dump(), request.app.state.settings.secret)
        return Redirect(f"/referent/?{context['filters'].query_string()}", status_code=303)

    @get("/signalements/nouveau", sync_to_thread=True)
    def new_report(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The empty signalement form."""
        service.ensure_referent(db_session, agent)
        return _new_page(
            {"agent": agent, "nav": "referent", "values": {}, "errors": {}, "suggestions": []}
        )

    @post("/signalements", request_max_body_size=MAX_CONTACT_BODY, sync_to_thread=True)
    def create_report(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[ReportSend, MULTIPART],
    ) -> Template | Redirect:
        """Check the signalement; open it, or give the form back with each problem explained."""
        service.ensure_referent(db_session, agent)
        values = data.values()
        context: dict[str, Any] = {"agent": agent, "nav": "referent", "values": values}
        if data.intent == "articles":
            found = _suggestions(db_session, state, agent, values)
            return _new_page({**context, "errors": {}, "suggestions": found, "asked": True})
        files = read_files(data.screenshots, lang="fr")
        outcome = _file(db_session, state, agent, values, files)
        if isinstance(outcome, dict):
            context.update(errors=outcome, suggestions=[], files_again=bool(files.names))
            return _new_page(context, status_code=422)
        return Redirect(f"/referent/signalements/{outcome}?envoye=1", status_code=303)

    @get("/signalements/{ticket_id:int}", sync_to_thread=True)
    def report_page(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Template:
        """A signalement: its details, the public thread, and the answer form."""
        context = _detail(
            db_session, agent, ticket_id, sent=request.query_params.get("envoye") == "1"
        )
        record_beside(request, AuditKind.TICKET_VIEWED, agent, ticket_target(ticket_id))
        return Template("referents/ticket.html", context=context)

    @post(
        "/signalements/{ticket_id:int}/messages",
        request_max_body_size=MAX_CONTACT_BODY,
        sync_to_thread=True,
    )
    def answer(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[AnswerSend, MULTIPART],
    ) -> Template | Redirect:
        """The référent answers in the thread, with screenshots if any."""
        files = read_files(data.screenshots, lang="fr")
        outcome = _answer(db_session, state, agent, ticket_id, data.body, files)
        if outcome is not None:
            context = _detail(db_session, agent, ticket_id, errors=outcome, body=data.body)
            return Template("referents/ticket.html", context=context, status_code=422)
        return Redirect(f"/referent/signalements/{ticket_id}#fil", status_code=303)

    @get("/signalements/{ticket_id:int}/pieces-jointes/{attachment_id:int}", sync_to_thread=True)
    def download(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        """A screenshot of the public thread, always as a download."""
        attachment = service.public_attachment(
            db_session, agent=agent, ticket_id=ticket_id, attachment_id=attachment_id
        )
        target = Target(ticket_id=ticket_id, object_kind="attachment", object_id=str(attachment.id))
        record_beside(request, AuditKind.ATTACHMENT_DOWNLOADED, agent, target)
        return file_download(
            attachment_path(state.settings.storage_dir, attachment), attachment.display_name
        )


def _suggestions(session: Session, state: State, agent: Agent, values: dict[str, str]) -> list[Any]:
    """Référent articles that answer the subject and description (the no-JavaScript path)."""
    text = f"{values.get('subject', '')} {values.get('description', '')}"
    return suggest(
        session, live=state.kb_index, text=text, audiences=readable_audiences(session, agent)
    )


def _file(
    session: Session, state: State, agent: Agent, values: dict[str, str], files: Files
) -> int | dict[str, str]:
    """Open the signalement; its ticket id, or the problems to show field by field."""
    try:
        form = ReportForm.model_validate(
            {k: v for k, v in values.items() if v != "" or k in ("subject", "description")}
        )
    except ValidationError as error:
        problems = field_errors(error)
        if files.error:
            problems["screenshots"] = files.error
        return problems
    if files.error:
        return {"screenshots": files.error}
    try:
        with attempt(session):
            ticket = service.file_report(
                session,
                form=form,
                actor=agent,
                screenshots=files.accepted,
                storage_dir=state.settings.storage_dir,
            )
    except ValidationFailedError as error:
        return error.field_errors or {"form": error.message}
    return require_id(ticket)


def _answer(
    session: Session, state: State, agent: Agent, ticket_id: int, body: str, files: Files
) -> dict[str, str] | None:
    """Add the référent's answer; the problems to show, or None when it was sent."""
    if files.error:
        return {"screenshots": files.error}
    try:
        with attempt(session):
            service.reply(
                session,
                ticket_id=ticket_id,
                body=body,
                actor=agent,
                screenshots=files.accepted,
                storage_dir=state.settings.storage_dir,
            )
    except ValidationFailedError as error:
        return error.field_errors or {"body": error.message}
    return None
