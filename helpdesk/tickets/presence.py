"""Who else has a ticket open: a heartbeat per agent and page, shown to the others."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.tickets.models import TicketPresence

PRESENCE_WINDOW = timedelta(seconds=60)


def heartbeat(session: Session, *, ticket_id: int, agent: Agent) -> None:
    """Note that the agent has the ticket open now."""
    row = session.exec(
        select(TicketPresence).where(
            TicketPresence.ticket_id == ticket_id, TicketPresence.agent_id == agent.id
        )
    ).first()
    if row is None:
        session.add(TicketPresence(ticket_id=ticket_id, agent_id=agent.id))  # type: ignore[arg-type]
    else:
        row.last_seen_at = utcnow()


def others_viewing(session: Session, *, ticket_id: int, agent: Agent) -> list[str]:
    """The names of the other agents who had the ticket open in the last minute."""
    since = utcnow() - PRESENCE_WINDOW
    rows = session.exec(
        select(Agent.full_name)
        .join(TicketPresence, col(TicketPresence.agent_id) == col(Agent.id))
        .where(
            TicketPresence.ticket_id == ticket_id,
            col(TicketPresence.last_seen_at) >= since,
            col(Agent.id) != agent.id,
        )
        .order_by(col(Agent.full_name))
    ).all()
    return list(rows)
