"""Reply drafts kept server-side, per ticket and agent.

Saved as the agent types, restored on the ticket page (after a reload or a conflict),
discarded once the message is sent or the ticket closed (see draft_models). One agent never
reads another's draft: every read and write is keyed by the agent's own id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import require_id, utcnow
from helpdesk.policy import Action, console_ticket
from helpdesk.text_limits import MESSAGE_MAX, check_lengths
from helpdesk.tickets.draft_models import TicketDraft


def save(session: Session, *, agent: Agent, ticket_id: int, body: str) -> datetime:
    """Keep the agent's draft on a ticket it may write on; an empty text discards it."""
    console_ticket(session, agent, ticket_id, Action.NOTE)
    check_lengths({"body": (body, MESSAGE_MAX)})
    agent_id = require_id(agent)
    now = utcnow()
    if not body.strip():
        discard(session, agent_id, ticket_id)
        return now
    if not _update(session, agent_id, ticket_id, body, now):
        try:
            with session.begin_nested():
                session.add(TicketDraft(agent_id=agent_id, ticket_id=ticket_id, body=body))
        except IntegrityError:  # saved meanwhile by the agent's other tab
            _update(session, agent_id, ticket_id, body, now)
    return now


def _update(session: Session, agent_id: int, ticket_id: int, body: str, now: datetime) -> bool:
    """Overwrite an existing draft; False when there is none yet."""
    result = session.execute(
        update(TicketDraft)
        .where(col(TicketDraft.agent_id) == agent_id, col(TicketDraft.ticket_id) == ticket_id)
        .values(body=body, updated_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def draft_for(session: Session, agent: Agent, ticket_id: int) -> str:
    """The agent's own saved draft on this ticket ("" when none)."""
    body = session.exec(
        select(TicketDraft.body).where(
            TicketDraft.agent_id == agent.id, TicketDraft.ticket_id == ticket_id
        )
    ).first()
    return body or ""


def saved_at(session: Session, agent: Agent, ticket_id: int) -> datetime | None:
    """When the agent's draft on this ticket was last saved (None when there is none)."""
    return session.exec(
        select(TicketDraft.updated_at).where(
            TicketDraft.agent_id == agent.id, TicketDraft.ticket_id == ticket_id
        )
    ).first()


def discard(session: Session, agent_id: int, ticket_id: int) -> None:
    """Forget the agent's draft on this ticket (its message was sent)."""
    session.execute(
        delete(TicketDraft).where(
            col(TicketDraft.agent_id) == agent_id, col(TicketDraft.ticket_id) == ticket_id
        )
    )
