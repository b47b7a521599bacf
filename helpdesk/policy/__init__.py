"""The access policy: every "may this person see / do this" of the helpdesk is answered here.

- `table` holds the role × action table (also in the README);
- `tickets` applies it to tickets (`visible_tickets`, `may`, `authorize`, `ticket_for`);
- `rights` applies it to the rest (pages, incidents, the point bimensuel, calls);
- `articles` decides who reads and writes wiki articles;
- `api_clients` decides what a machine client may call (its scopes).
"""

from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.policy.api_clients import ensure_scope, may_call
from helpdesk.policy.rights import ensure, holders_of, may_do
from helpdesk.policy.table import Action, Scope
from helpdesk.policy.tickets import (
    authorize,
    may,
    may_view,
    ticket_for,
    visible_queues,
    visible_tickets,
    worked_queue_ids,
)
from helpdesk.tickets.models import Ticket


def console_ticket(
    session: Session, agent: Agent | None, ticket_id: int, action: Action = Action.VIEW
) -> Ticket:
    """A ticket of the agent console (référents have their own space: 404 there)."""
    ensure(session, agent, Action.USE_CONSOLE)
    return ticket_for(session, agent, ticket_id, action)


__all__ = [
    "Action",
    "Scope",
    "authorize",
    "console_ticket",
    "ensure",
    "ensure_scope",
    "holders_of",
    "may",
    "may_call",
    "may_do",
    "may_view",
    "ticket_for",
    "visible_queues",
    "visible_tickets",
    "worked_queue_ids",
]
