"""Opening a ticket marks the agent's notifications about it read, however it was opened.

The ticket page notes the agent's presence (`TicketPresence`, on load and every 20 s); a
listener sees that row written and marks the agent's unread notifications of the ticket
read in the same transaction, so the bell counts down without the ticket page calling us.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import col

from helpdesk.agent_notifications.models import AgentNotification
from helpdesk.db import utcnow
from helpdesk.tickets.models import TicketPresence


def mark_ticket_seen(session: OrmSession, *, agent_id: int, ticket_id: int) -> None:
    """Mark the agent's unread notifications of this ticket read."""
    session.execute(
        update(AgentNotification)
        .where(
            col(AgentNotification.agent_id) == agent_id,
            col(AgentNotification.ticket_id) == ticket_id,
            col(AgentNotification.read_at).is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@event.listens_for(OrmSession, "before_flush")
def _on_presence(session: OrmSession, _context: Any, _instances: Any) -> None:
    """A presence row written now means the agent has the ticket open."""
    seen = {
        (row.agent_id, row.ticket_id)
        for row in (*session.new, *session.dirty)
        if isinstance(row, TicketPresence)
    }
    for agent_id, ticket_id in seen:
        mark_ticket_seen(session, agent_id=agent_id, ticket_id=ticket_id)
