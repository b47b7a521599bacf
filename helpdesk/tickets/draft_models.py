"""The table of reply drafts: what an agent was writing on a ticket, kept server-side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class TicketDraft(SQLModel, table=True):
    """One agent's unsent reply on one ticket (never shown to anyone else)."""

    __tablename__ = "ticket_draft"
    __table_args__ = (UniqueConstraint("agent_id", "ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = timestamp_column(now=True)
