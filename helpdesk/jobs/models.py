"""Tables of the transactional outbox (the durable record of every job) and dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column

# The rows the sweep looks at: neither done nor given up. A partial index keeps the sweep's
# query as cheap with millions of finished rows as with none.
PENDING = "done_at IS NULL AND dead_at IS NULL"


class OutboxMessage(SQLModel, table=True):
    """A job, written in the same transaction as the change that caused it.

    The row is the job's durable state: the broker only carries it. `due_at` is when the
    sweep may hand it over (again): at creation, once the lease of a hand-off is over, or
    after a failure's backoff. `done_at` is written in the transaction of the job's effect,
    so a row counts as done only when its effect has committed.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index(
            "ix_outbox_message_pending_due",
            "due_at",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        # The clock asks "was this periodic job enqueued within its period?" every tick.
        Index("ix_outbox_message_actor_created", "actor_name", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_name: str = Field(max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_column(now=True)
    due_at: datetime = timestamp_column(now=True)
    sent_at: datetime | None = timestamp_column()  # the latest hand-off to the broker
    broker_message_id: str | None = Field(default=None, max_length=64)
    attempts: int = Field(default=0)  # hand-offs to the broker
    failures: int = Field(default=0)  # runs that raised
    last_error: str | None = Field(default=None, max_length=500)
    done_at: datetime | None = timestamp_column()
    dead_at: datetime | None = timestamp_column()


class DeadLetter(SQLModel, table=True):
    """A job that exhausted its retries; an admin can see and replay it."""

    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=64, unique=True)
    actor_name: str = Field(max_length=100)
    outbox_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    kwargs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    failed_at: datetime = timestamp_column(now=True, index=True)
    replayed_at: datetime | None = timestamp_column()
    alerted_at: datetime | None = timestamp_column()  # when the admins were told of it
