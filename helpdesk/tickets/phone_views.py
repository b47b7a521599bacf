"""The "Nouvel appel" page of téléconseillers: note the call beside a knowledge-base search,
with the caller's other tickets and dossiers found as their identifiers are typed."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlmodel import Session

from dossiers.catalog import CATALOG, PROCEDURES_BY_CODE
from dossiers.source import DossierSource
from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.dossier_links.views import dossier_source
from helpdesk.errors import ValidationFailedError
from helpdesk.tickets import requester_history
from helpdesk.tickets.phone import PhoneCall, ensure_call_taker, record_call
from helpdesk.tickets.phone_lookup import CallerLookup, find_caller
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_redirect

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PRIVATE = {"Cache-Control": "private, no-store"}
MOTIFS = (
    "Question sur ma démarche",
    "Compte / problème technique",
    "Attestation",
    "Rendez-vous ou remise du titre",
    "Autre",
)


def call_context(
    agent: Any,
    call: PhoneCall,
    errors: dict[str, str] | None = None,
    caller: CallerLookup | None = None,
) -> dict[str, Any]:
    """What the call form shows, with the téléconseiller's input kept."""
    return {
        "agent": agent,
        "nav": "call",
        "call": call,
        "errors": errors or {},
        "procedures": CATALOG,
        "procedure_labels": {p.code: p.label for p in PROCEDURES_BY_CODE.values()},
        "motifs": MOTIFS,
        "caller": caller,
        "requester_history": caller.history if caller else requester_history.NOTHING,
    }


def _lookup(session: Session, agent: Agent, source: DossierSource, call: PhoneCall) -> CallerLookup:
    """The caller's other tickets and dossiers, from what was typed."""
    return find_caller(
        session,
        agent,
        source,
        email=call.requester_email,
        foreign_number=call.requester_foreign_number,
    )


class PhoneController(Controller):
    """GET and POST /appels/nouveau; POST /appels/demandeur (the caller's history)."""

    request_class = HTMXRequest

    @get("/appels/nouveau", sync_to_thread=True)
    def new_call(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """An empty call form."""
        ensure_call_taker(db_session, agent)
        return Template("tickets/call.html", context=call_context(agent, PhoneCall()))

    @post("/appels/demandeur", sync_to_thread=True)
    def caller(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[PhoneCall, FORM],
    ) -> Template:
        """The caller's tickets and dossiers (posted: identifiers stay out of URLs and logs);
        an htmx fragment, or the whole form again without JavaScript."""
        ensure_call_taker(db_session, agent)
        found = _lookup(db_session, agent, dossier_source(state), data)
        context = call_context(agent, data, caller=found)
        name = "tickets/_call_requester.html" if request.htmx else "tickets/call.html"
        return Template(name, context=context, headers=PRIVATE)

    @post("/appels/nouveau", sync_to_thread=True)
    def record(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[PhoneCall, FORM],
    ) -> Template | Redirect:
        """Create the call's ticket; errors bring the form back with the input kept."""
        source = dossier_source(state)
        try:
            with attempt(db_session):
                ticket = record_call(db_session, agent=agent, call=data, source=source)
        except ValidationFailedError as error:
            errors = error.field_errors or {"outcome": error.message}
            found = _lookup(db_session, agent, source, data)
            context = call_context(agent, data, errors, caller=found)
            context["error_message"] = error.message
            return Template("tickets/call.html", context=context, status_code=422)
        done = (
            "résolu au premier contact"
            if data.outcome == "resolved"
            else "créé et transmis à la DP ANEF"
        )
        return flash_redirect(
            f"/tickets/{ticket.id}", f"Appel enregistré : ticket {ticket.reference} {done}"
        )
