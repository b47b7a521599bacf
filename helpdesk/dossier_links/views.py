"""The ticket's dossier panel, attaching a dossier, and the signed webhook of dossier events."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, RawBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlmodel import Session

from dossiers.model import DossierEvent
from dossiers.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify
from dossiers.source import DossierSource
from helpdesk.api_clients.authentication import require_scope
from helpdesk.api_clients.openapi import refusals, requires
from helpdesk.api_clients.scopes import DOSSIER_EVENTS_WRITE, Caller
from helpdesk.auth.models import Agent
from helpdesk.config import Settings
from helpdesk.db import attempt, utcnow
from helpdesk.dossier_links import service
from helpdesk.dossier_links.events import receive_event
from helpdesk.errors import DomainError, NotFoundError
from helpdesk.policy import Action, console_ticket, may
from helpdesk.tickets.models import Ticket
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm

PARIS = ZoneInfo("Europe/Paris")
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PRIVATE = {"Cache-Control": "private, no-store"}


class AttachForm(WebForm):
    """A dossier number to attach to the ticket."""

    number: str = ""
    version: int | None = None


class SearchForm(WebForm):
    """A search of the dossier service by numéro étranger (posted: never in a URL)."""

    numero_etranger: str = ""


def today() -> date:
    """Today in Paris (the attestations' validity is counted in French days)."""
    return utcnow().astimezone(PARIS).date()


def dossier_source(state: State) -> DossierSource:
    """The application's dossier source."""
    source: DossierSource = state.dossier_source
    return source


class DossierController(Controller):
    """GET the dossier panel of a ticket (htmx fragment or page); POST a dossier number, or
    a numéro étranger to search (a personal identifier stays out of URLs and their logs)."""

    path = "/tickets/{ticket_id:int}/dossier"

    @get("/", sync_to_thread=True)
    def panel(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Template:
        """The dossier's status, timeline, requested documents and attestations."""
        ticket = console_ticket(db_session, agent, ticket_id)
        context = _panel_context(db_session, state, agent, ticket, None)
        return _panel_page(request, context)

    @post("/recherche", sync_to_thread=True)
    def search(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[SearchForm, FORM],
    ) -> Template:
        """The panel with the dossiers held under a numéro étranger (read only)."""
        ticket = console_ticket(db_session, agent, ticket_id)
        context = _panel_context(db_session, state, agent, ticket, data.numero_etranger)
        return _panel_page(request, context)

    @post("/", sync_to_thread=True)
    def attach(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[AttachForm, FORM],
    ) -> Redirect | Template:
        """Attach the dossier with this number; a refusal shows the panel again with the error."""
        console_ticket(db_session, agent, ticket_id)
        try:
            with attempt(db_session):
                service.attach_dossier(
                    db_session,
                    source=dossier_source(state),
                    ticket_id=ticket_id,
                    number=data.number,
                    actor=agent,
                    expected_version=data.version,
                )
        except NotFoundError:
            raise
        except DomainError as error:
            ticket = console_ticket(db_session, agent, ticket_id)
            context = _panel_context(db_session, state, agent, ticket, None)
            context.update(attach_error=error.message, attach_number=data.number)
            return Template(
                "dossiers/panel.html",
                context=context,
                headers=PRIVATE,
                status_code=error.status_code,
            )
        return Redirect(f"/tickets/{ticket_id}", status_code=303)


def _panel_page(request: HTMXRequest, context: dict[str, Any]) -> Template:
    """The panel as an htmx fragment or a whole page."""
    name = "dossiers/_panel.html" if request.htmx else "dossiers/panel.html"
    return Template(name, context=context, headers=PRIVATE)


def _panel_context(
    session: Session, state: State, agent: Agent, ticket: Ticket, foreign_number: str | None
) -> dict[str, Any]:
    """What the dossier panel shows, and what the agent may do there."""
    panel = service.ticket_panel(
        session,
        source=dossier_source(state),
        ticket=ticket,
        today=today(),
        foreign_number=foreign_number,
    )
    return {
        "agent": agent,
        "ticket": ticket,
        "panel": panel,
        "today": today(),
        "may_act": may(session, agent, Action.CHANGE_FIELDS, ticket),
        "may_reply": may(session, agent, Action.REPLY, ticket),
        "unavailable_text": service.UNAVAILABLE,
        "foreign_number": foreign_number or ticket.requester_foreign_number or "",
    }


def _problem(
    status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> Response[Any]:
    """A problem+json answer."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body.update(detail=detail, errors=errors or [])
    return Response(body, status_code=status, media_type="application/problem+json")


def _validation_errors(error: ValidationError) -> list[dict[str, str]]:
    """One entry per faulty field of the event."""
    return [
        {"field": ".".join(str(p) for p in item["loc"]) or "body", "message": item["msg"]}
        for item in error.errors(include_url=False)
    ]


@post(
    "/api/v1/dossier-events",
    status_code=202,
    summary="Recevoir un changement de statut de dossier",
    description=(
        "Corps JSON : event_id, type (dossier.status_changed), occurred_at, dossier_number, "
        "procedure, from_status, to_status, contact_email. En-têtes X-Dossier-Timestamp (secondes "
        "Unix) et X-Dossier-Signature : sha256=hex(HMAC-SHA256(secret, horodatage + '.' + corps)). "
        "Clé d'API avec l'autorisation dossier-events:write, et la signature. "
        "401 : clé ou signature absente, fausse, ou horodatage périmé ; 403 : autorisation "
        "manquante ; 422 : corps invalide ; 202 : "
        "status « applied », « ignored » (dossier inconnu) ou « duplicate » (déjà reçu)."
    ),
    security=requires(DOSSIER_EVENTS_WRITE, signed=True),
    responses=refusals(),
    dependencies={
        "api_client": Provide(require_scope(DOSSIER_EVENTS_WRITE), sync_to_thread=True),
    },
    sync_to_thread=True,
)
def dossier_events(
    request: Request[Any, Any, Any],
    state: State,
    db_session: DbSession,
    body: RawBody,
    api_client: NamedDependency[Caller],
) -> Response[Any]:
    """The dossier systems' signed status changes (the raw body is what the HMAC signs);
    the caller's API key is checked first (a dependency), then the signature."""
    settings: Settings = state.settings
    if not settings.dossier_events_secret:
        return _problem(503, "Webhook non configuré", "Le secret des événements n'est pas défini.")
    try:
        verify(
            settings.dossier_events_secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            given=request.headers.get(SIGNATURE_HEADER),
            body=body,
            tolerance=settings.dossier_events_tolerance_seconds,
        )
    except SignatureError as error:
        return _problem(401, "Signature refusée", f"Événement refusé : {error}.")
    try:
        event = DossierEvent.model_validate_json(body)
    except ValidationError as error:
        return _problem(
            422, "Événement invalide", "Corrigez les champs indiqués.", _validation_errors(error)
        )
    outcome, count = receive_event(db_session, event=event)
    return Response({"status": outcome, "tickets": count}, status_code=202)
