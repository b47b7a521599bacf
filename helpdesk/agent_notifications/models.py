"""Tables of agents' notifications and of their e-mail preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class AgentNotification(SQLModel, table=True):
    """One thing an agent is told about a ticket; one row per (agent, source, kind), ever.

    `source` names what caused it ("event:12", "message:34"): a job run twice finds the row
    and neither writes it again nor e-mails again. Nothing of the usager is copied here: the
    list reads the reference and subject from the ticket, through the policy.
    """

    __tablename__ = "agent_notification"
    __table_args__ = (
        UniqueConstraint("agent_id", "source", "kind", name="uq_agent_notification_source"),
        Index("ix_agent_notification_unread", "agent_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=30)
    source: str = Field(max_length=40)
    detail: str = Field(default="", max_length=250)  # who did it, which queue (no usager data)
    created_at: datetime = timestamp_column(now=True)
    read_at: datetime | None = timestamp_column()
    emailed_at: datetime | None = timestamp_column()


class NotificationSettings(SQLModel, table=True):
    """An agent's choice of e-mails (none, immediate, daily digest) and its last digest."""

    __tablename__ = "agent_notification_settings"

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", unique=True)
    email_mode: str = Field(default="none", max_length=10)
    # Kinds the agent does not want by e-mail (still in the console); empty: every kind.
    email_muted: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_digest_at: datetime | None = timestamp_column()
