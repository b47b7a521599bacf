"""The "Nouvel appel" page of téléconseillers: note the call beside a knowledge-base search."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from dossiers.catalog import CATALOG
from helpdesk.db import attempt
from helpdesk.errors import ValidationFailedError
from helpdesk.tickets.phone import PhoneCall, ensure_call_taker, record_call
from helpdesk.web.dependencies import CurrentAgent, DbSession

MOTIFS = (
    "Question sur ma démarche",
    "Compte / problème technique",
    "Attestation",
    "Rendez-vous ou remise du titre",
    "Autre",
)


def call_context(
    agent: Any, call: PhoneCall, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the call form shows, with the téléconseiller's input kept."""
    return {
        "agent": agent,
        "nav": "call",
        "call": call,
        "errors": errors or {},
        "procedures": CATALOG,
        "motifs": MOTIFS,
    }


class PhoneController(Controller):
    """GET and POST /appels/nouveau."""

    @get("/appels/nouveau", sync_to_thread=True)
    def new_call(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """An empty call form."""
        ensure_call_taker(db_session, agent)
        return Template("tickets/call.html", context=call_context(agent, PhoneCall()))

    @post("/appels/nouveau", sync_to_thread=True)
    def record(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[PhoneCall, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        """Create the call's ticket; errors bring the form back with the input kept."""
        try:
            with attempt(db_session):
                ticket = record_call(db_session, agent=agent, call=data)
        except ValidationFailedError as error:
            context = call_context(agent, data, error.field_errors or {"outcome": error.message})
            context["error_message"] = error.message
            return Template("tickets/call.html", context=context, status_code=422)
        return Redirect(f"/tickets/{ticket.id}", status_code=303)
