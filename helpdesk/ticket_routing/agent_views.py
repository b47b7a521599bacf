"""Agents' side of routing: available or away, and the routing panel of a ticket."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from helpdesk.policy import Action, console_ticket, ensure
from helpdesk.ticket_routing import admin_queries as queries
from helpdesk.ticket_routing import assignment
from helpdesk.ticket_routing.service import accept_suggestion
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class AvailabilityForm(WebForm):
    """Available (1) or away (0)."""

    available: str = "1"


class RoutingAgentController(Controller):
    """Pages every agent may use."""

    @get("/disponibilite", sync_to_thread=True)
    def availability(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """Whether the agent receives new tickets automatically."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        available = assignment.is_available(db_session, agent=agent)
        return Template(
            "routing/availability.html",
            context={"agent": agent, "nav": "availability", "available": available},
        )

    @post("/disponibilite", sync_to_thread=True)
    def set_availability(
        self, db_session: DbSession, agent: CurrentAgent, data: Annotated[AvailabilityForm, Form]
    ) -> Redirect:
        """Mark oneself available or away in every queue."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        assignment.set_available(db_session, agent=agent, available=data.available == "1")
        return Redirect("/disponibilite", status_code=303)

    @get("/routage/tickets/{ticket_id:int}", sync_to_thread=True)
    def ticket_panel(
        self, db_session: DbSession, agent: CurrentAgent, ticket_id: FromPath[int]
    ) -> Template:
        """The suggestion, tags and SLA clocks of a ticket (a fragment for the ticket page)."""
        ticket = console_ticket(db_session, agent, ticket_id)
        context = {**queries.ticket_panel(db_session, ticket), "agent": agent}
        return Template("routing/_ticket_panel.html", context=context)

    @post("/routage/tickets/{ticket_id:int}/suggestion", sync_to_thread=True)
    def accept(
        self, db_session: DbSession, agent: CurrentAgent, ticket_id: FromPath[int]
    ) -> Redirect:
        """Apply the suggested procedure and motif; the rules run again on them."""
        console_ticket(db_session, agent, ticket_id, Action.ACCEPT_ROUTING)
        accept_suggestion(db_session, ticket_id=ticket_id, actor=agent)
        return Redirect(f"/tickets/{ticket_id}", status_code=303)
