"""The audit trail's table: one row per security-relevant event, never updated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class AuditEvent(SQLModel, table=True):
    """Who (an agent, an API client, the system), did what, when, from which address, on what.

    `actor_label` keeps the person's name at the time (accounts may be renamed or anonymised);
    `ticket_id` is a plain number, not a foreign key, so the trail outlives what it names.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_column(now=True, index=True)
    kind: str = Field(max_length=40, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_label: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=64)
    ticket_id: int | None = Field(default=None, index=True)
    object_kind: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=80)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
