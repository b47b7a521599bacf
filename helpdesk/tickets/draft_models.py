"""The table of reply drafts: what an agent was writing on a ticket, kept server-side."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint, delete, event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col

from helpdesk.db import timestamp_column
from helpdesk.tickets.models import Status, Ticket


class TicketDraft(SQLModel, table=True):
    """One agent's unsent reply on one ticket (never shown to anyone else)."""

    __tablename__ = "ticket_draft"
    __table_args__ = (UniqueConstraint("agent_id", "ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = timestamp_column(now=True)


@event.listens_for(OrmSession, "after_flush")
def _discard_on_close(session: OrmSession, _context: Any) -> None:
    """A ticket that gets closed (by hand, by the daily job, by a merge) drops its drafts."""
    closed = [
        ticket.id
        for ticket in session.dirty
        if isinstance(ticket, Ticket)
        and ticket.status == Status.CLOSED
        and inspect(ticket).attrs.status.history.has_changes()
    ]
    if closed:
        session.connection().execute(
            delete(TicketDraft).where(col(TicketDraft.ticket_id).in_(closed))
        )
