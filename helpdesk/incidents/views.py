"""DP ANEF's incident pages, the ticket page's incident panel and the bulk link of a queue."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from pydantic import Field, ValidationError, field_validator
from sqlmodel import Session, col, select

from dossiers.catalog import CATALOG
from helpdesk.auth.models import Agent, Organisation, OrganisationKind
from helpdesk.db import attempt
from helpdesk.errors import (
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.incidents import service
from helpdesk.incidents.models import (
    INCIDENT_STATUS_LABELS,
    LINK_OUTCOME_LABELS,
    Incident,
    IncidentStatus,
    Notice,
)
from helpdesk.incidents.schemas import (
    DEFAULT_REFERENT_MESSAGE,
    DEFAULT_USAGER_REPLY,
    IncidentForm,
    ResolutionForm,
)
from helpdesk.incidents.suggestions import suggest_links
from helpdesk.policy import Action, console_ticket, ensure, may, may_do
from helpdesk.referents.models import REPORT_KIND_LABELS, SEVERITY_LABELS
from helpdesk.referents.schemas import field_errors
from helpdesk.referents.service import report_of
from helpdesk.tickets.labels import PROCEDURE_LABELS
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_redirect
from helpdesk.web.forms import WebForm, as_list

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class RawIncident(WebForm):
    """The incident form as sent (strings); turned into an IncidentForm to be checked."""

    title: str = ""
    description: str = ""
    procedures: list[str] = Field(default_factory=list)
    all_sites: str = ""
    sites: list[str] = Field(default_factory=list)
    started_at: str = ""
    status: str = IncidentStatus.ONGOING.value
    workaround: str = ""
    version: int = 0

    @field_validator("procedures", "sites", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return as_list(value)

    def checked(self) -> IncidentForm:
        """The validated form; raises ValidationError."""
        values = self.model_dump(exclude={"version", "all_sites"})
        return IncidentForm.model_validate(
            {**values, "all_sites": bool(self.all_sites) or not self.sites}
        )


class LinkForm(WebForm):
    """Tickets to link: ids (from a selection) or one reference."""

    ticket_ids: list[int] = Field(default_factory=list)
    reference: str = ""
    incident: str = Field(default="", alias="incident_id")
    back: str = ""

    @field_validator("ticket_ids", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return as_list(value)

    @property
    def incident_id(self) -> int:
        """The incident chosen (0 when none)."""
        value = self.incident.strip().upper().removeprefix("INC-")
        return int(value) if value.isdigit() else 0


class ResolveForm(WebForm):
    """The resolution texts, as sent."""

    usager_reply: str = ""
    referent_message: str = ""
    version: int = 0


def safe_back(path: str, default: str) -> str:
    """A local path to go back to (never another site)."""
    return path if path.startswith("/") and not path.startswith("//") else default


def sites(session: Session) -> list[Organisation]:
    """The préfectures and naturalisation platforms."""
    kinds = [OrganisationKind.PREFECTURE.value, OrganisationKind.PLATFORM.value]
    return list(
        session.exec(
            select(Organisation)
            .where(col(Organisation.kind).in_(kinds))
            .order_by(col(Organisation.name))
        ).all()
    )


def _page(
    session: Session, agent: Agent, name: str, status_code: int = 200, **context: Any
) -> Template:
    """An incident page with the shared choices."""
    return Template(
        name,
        context={
            "agent": agent,
            "nav": "incidents",
            "procedures": CATALOG,
            "sites": sites(session),
            "statuses": INCIDENT_STATUS_LABELS,
            **context,
        },
        status_code=status_code,
    )


def _detail(session: Session, agent: Agent, incident: Incident, **extra: Any) -> dict[str, Any]:
    """What an incident's page shows."""
    notice = session.exec(select(Notice).where(Notice.incident_id == incident.id)).first()
    may_manage = may_do(session, agent, Action.DECLARE_INCIDENT)
    return {
        "may_manage": may_manage,
        "may_resolve": may_do(session, agent, Action.RESOLVE_INCIDENT),
        "may_link": may_do(session, agent, Action.LINK_INCIDENT),
        "incident": incident,
        "notice": notice,
        "linked": service.linked_tickets(session, incident_id=incident.id or 0, reader=agent),
        "linked_total": service.linked_count(session, incident_id=incident.id or 0),
        "outcome_labels": LINK_OUTCOME_LABELS,
        "procedure_labels": PROCEDURE_LABELS,
        "suggestions": suggest_links(session, incident=incident, agent=agent)
        if may_do(session, agent, Action.LINK_INCIDENT)
        and incident.status != IncidentStatus.RESOLVED
        else [],
        "values": extra.pop("values", None) or _values_of(incident),
        "errors": extra.pop("errors", {}),
        "resolution": extra.pop("resolution", None)
        or {"usager_reply": DEFAULT_USAGER_REPLY, "referent_message": DEFAULT_REFERENT_MESSAGE},
        **extra,
    }


def _values_of(incident: Incident) -> dict[str, Any]:
    """An incident's fields as the edit form shows them."""
    started = incident.started_at.astimezone(_paris()).strftime("%Y-%m-%dT%H:%M")
    return {**incident.model_dump(), "started_at": started}


def _paris() -> Any:
    """The Paris time zone."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


def _link(session: Session, agent: Agent, incident_id: int, data: LinkForm) -> int:
    """Link the ticket given by reference, else the ticked ones; how many were new."""
    if data.reference.strip():
        return service.link_by_reference(
            session, incident_id=incident_id, reference=data.reference, actor=agent
        )
    return service.link_tickets(
        session, incident_id=incident_id, ticket_ids=data.ticket_ids, actor=agent
    )


def _linked_text(added: int) -> str:
    """The confirmation after a link."""
    if added == 0:
        return "Ces tickets étaient déjà liés à l'incident : rien n'a changé."
    plural = "s" if added > 1 else ""
    return f"{added} ticket{plural} lié{plural} à l'incident"


def _refused_link(
    session: Session,
    agent: Agent,
    incident_id: int,
    data: LinkForm,
    field: str,
    error: DomainError,
) -> Template:
    """The incident page again, the refusal beside the field and the selection kept."""
    incident = service.get_incident(session, incident_id)
    context = _detail(
        session,
        agent,
        incident,
        link_errors={field: error.message},
        link_values={"reference": data.reference, "ticket_ids": set(data.ticket_ids)},
    )
    status = 404 if isinstance(error, NotFoundError) else 422
    return _page(session, agent, "incidents/detail.html", status, **context)


class IncidentController(Controller):
    """Incidents: list, record, update, link tickets, resolve (DP ANEF)."""

    path = "/incidents"

    @get("/", sync_to_thread=True)
    def index(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The incidents, newest first (agents read them; incident managers manage them)."""
        ensure(db_session, agent, Action.READ_INCIDENTS)
        rows = db_session.exec(
            select(Incident).order_by(col(Incident.started_at).desc()).limit(200)
        ).all()
        may_manage = may_do(db_session, agent, Action.DECLARE_INCIDENT)
        return _page(
            db_session, agent, "incidents/list.html", incidents=rows, may_manage=may_manage
        )

    @get("/nouveau", sync_to_thread=True)
    def new(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The empty incident form."""
        ensure(db_session, agent, Action.DECLARE_INCIDENT)
        return _page(db_session, agent, "incidents/new.html", values={"all_sites": True}, errors={})

    @post("/", sync_to_thread=True)
    def create(
        self, db_session: DbSession, agent: CurrentAgent, data: Annotated[RawIncident, FORM]
    ) -> Template | Redirect:
        """Record an incident and announce it to the référents concerned."""
        ensure(db_session, agent, Action.DECLARE_INCIDENT)
        try:
            form = data.checked()
            with attempt(db_session):
                incident = service.record_incident(db_session, form=form, actor=agent)
        except ValidationError as error:
            return _page(
                db_session,
                agent,
                "incidents/new.html",
                422,
                values=data.model_dump(),
                errors=field_errors(error),
            )
        return Redirect(f"/incidents/{incident.id}", status_code=303)

    @get("/{incident_id:int}", sync_to_thread=True)
    def detail(
        self, db_session: DbSession, agent: CurrentAgent, incident_id: FromPath[int]
    ) -> Template:
        """An incident: its fields, linked tickets, suggested tickets and the resolution form."""
        ensure(db_session, agent, Action.READ_INCIDENTS)
        incident = service.get_incident(db_session, incident_id)
        return _page(
            db_session, agent, "incidents/detail.html", **_detail(db_session, agent, incident)
        )

    @post("/{incident_id:int}", sync_to_thread=True)
    def update(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        incident_id: FromPath[int],
        data: Annotated[RawIncident, FORM],
    ) -> Template | Redirect:
        """Change the incident (status, workaround, audience...)."""
        ensure(db_session, agent, Action.DECLARE_INCIDENT)
        try:
            form = data.checked()
            with attempt(db_session):
                service.update_incident(
                    db_session,
                    incident_id=incident_id,
                    form=form,
                    actor=agent,
                    expected_version=data.version,
                )
        except (ValidationError, StaleVersionError) as error:
            incident = service.get_incident(db_session, incident_id)
            errors = (
                field_errors(error)
                if isinstance(error, ValidationError)
                else {"form": error.message}
            )
            context = _detail(db_session, agent, incident, values=data.model_dump(), errors=errors)
            return _page(
                db_session,
                agent,
                "incidents/detail.html",
                409 if "form" in errors else 422,
                **context,
            )
        return Redirect(f"/incidents/{incident_id}", status_code=303)

    @post("/{incident_id:int}/tickets", sync_to_thread=True)
    def link(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        incident_id: FromPath[int],
        data: Annotated[LinkForm, FORM],
    ) -> Template | Redirect:
        """Link the ticked suggestions, or the ticket with this reference."""
        ensure(db_session, agent, Action.LINK_INCIDENT)
        field = "reference" if data.reference.strip() else "ticket_ids"
        try:
            with attempt(db_session):
                added = _link(db_session, agent, incident_id, data)
        except (ValidationFailedError, NotFoundError, InvalidTransitionError) as error:
            return _refused_link(db_session, agent, incident_id, data, field, error)
        back = safe_back(data.back, f"/incidents/{incident_id}")
        return flash_redirect(back, _linked_text(added))

    @post("/lier", sync_to_thread=True)
    def link_selection(
        self, db_session: DbSession, agent: CurrentAgent, data: Annotated[LinkForm, FORM]
    ) -> Redirect:
        """Link the tickets selected in a queue to the incident chosen by its number."""
        ensure(db_session, agent, Action.LINK_INCIDENT)
        back = safe_back(data.back, "/")
        try:
            if not data.incident_id:
                raise ValidationFailedError(
                    "indiquez le numéro de l'incident (INC-n) auquel lier la sélection."
                )
            with attempt(db_session):
                added = service.link_tickets(
                    db_session,
                    incident_id=data.incident_id,
                    ticket_ids=data.ticket_ids,
                    actor=agent,
                )
        except (ValidationFailedError, NotFoundError, InvalidTransitionError) as error:
            # the queue is another area's page: back to it, the refusal on top
            text = f"Aucun ticket n'a été rattaché : {error.message}"
            return flash_redirect(back, text, kind="error")
        text = f"{_linked_text(added)} INC-{data.incident_id}" if added else _linked_text(0)
        return flash_redirect(safe_back(data.back, f"/incidents/{data.incident_id}"), text)

    @post("/{incident_id:int}/resolution", sync_to_thread=True)
    def resolve(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        incident_id: FromPath[int],
        data: Annotated[ResolveForm, FORM],
    ) -> Template | Redirect:
        """Resolve the incident: every linked ticket gets its message and is resolved."""
        ensure(db_session, agent, Action.RESOLVE_INCIDENT)
        try:
            form = ResolutionForm(
                usager_reply=data.usager_reply, referent_message=data.referent_message
            )
            with attempt(db_session):
                service.resolve_incident(
                    db_session,
                    incident_id=incident_id,
                    form=form,
                    actor=agent,
                    expected_version=data.version or None,
                )
        except ValidationError as error:
            incident = service.get_incident(db_session, incident_id)
            context = _detail(
                db_session,
                agent,
                incident,
                resolution=data.model_dump(),
                resolution_errors=field_errors(error),
            )
            return _page(db_session, agent, "incidents/detail.html", 422, **context)
        return Redirect(f"/incidents/{incident_id}?resolu=1", status_code=303)


class TicketIncidentController(Controller):
    """The incident panel of the ticket page (signalement details, linked incidents, link)."""

    path = "/tickets/{ticket_id:int}/incidents"

    @get("/", sync_to_thread=True)
    def panel(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Template:
        """A fragment for htmx, or a page of its own without JavaScript."""
        ticket = console_ticket(db_session, agent, ticket_id)
        context = {
            "agent": agent,
            "ticket": ticket,
            "report": report_of(db_session, ticket_id=ticket_id),
            "kinds": REPORT_KIND_LABELS,
            "severities": SEVERITY_LABELS,
            "incidents": service.linked_incidents(db_session, ticket_id=ticket_id),
            "may_link": may(db_session, agent, Action.LINK_INCIDENT, ticket),
            "open_incidents": service.open_incidents(db_session),
        }
        name = "incidents/_ticket_panel.html" if request.htmx else "incidents/ticket_panel.html"
        return Template(name, context=context)

    @post("/", sync_to_thread=True)
    def link(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[LinkForm, FORM],
    ) -> Redirect:
        """Link this ticket to the chosen incident; a refusal comes back to the ticket."""
        console_ticket(db_session, agent, ticket_id, Action.LINK_INCIDENT)
        page = f"/tickets/{ticket_id}"
        try:
            if not data.incident_id:
                raise ValidationFailedError("choisissez l'incident auquel rattacher ce ticket.")
            with attempt(db_session):
                added = service.link_tickets(
                    db_session, incident_id=data.incident_id, ticket_ids=[ticket_id], actor=agent
                )
        except (ValidationFailedError, NotFoundError, InvalidTransitionError) as error:
            # the ticket page is another area's: back to it, the refusal on top
            text = f"Le ticket n'a pas été rattaché : {error.message}"
            return flash_redirect(page, text, kind="error")
        incident = f"INC-{data.incident_id}"
        text = f"Ticket rattaché à l'incident {incident}" if added else f"Déjà lié à {incident}"
        return flash_redirect(page, text)
