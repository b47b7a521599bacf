"""Tables of the transactional outbox, job executions and dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class OutboxMessage(SQLModel, table=True):
    """A job written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    actor_name: str = Field(max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_column(now=True)
    sent_at: datetime | None = timestamp_column(index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)


class JobExecution(SQLModel, table=True):
    """Proof that the job of an outbox message took effect (idempotency)."""

    __tablename__ = "job_execution"

    key: str = Field(primary_key=True, max_length=150)
    actor_name: str = Field(max_length=100)
    done_at: datetime = timestamp_column(now=True)


class DeadLetter(SQLModel, table=True):
    """A job that exhausted its retries; an admin can see and replay it."""

    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=64, unique=True)
    actor_name: str = Field(max_length=100)
    outbox_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    kwargs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    failed_at: datetime = timestamp_column(now=True)
    replayed_at: datetime | None = timestamp_column()
