"""The saved views table: an agent's filters and sort of a list, kept under a name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class SavedView(SQLModel, table=True):
    """A list's filters and sort under a name: personal, or shared with a queue's members.

    `base` says which list it filters ("search", "queue:<code>" or "view:<slug>") and
    `filters` holds the filter values as structured data (never SQL); both are checked
    again each time the view is opened (helpdesk.tickets.saved_views).
    """

    __tablename__ = "saved_view"

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=200)
    base: str = Field(max_length=60)
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    shared_queue_id: int | None = Field(default=None, foreign_key="queue.id", index=True)
    created_at: datetime = timestamp_column(now=True)
    updated_at: datetime = timestamp_column(now=True)
