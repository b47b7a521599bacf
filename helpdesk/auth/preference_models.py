"""The table of an agent's small console preferences (which side panels are open…)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class AgentPreference(SQLModel, table=True):
    """One named preference of one agent, as a short text value."""

    __tablename__ = "agent_preference"
    __table_args__ = (UniqueConstraint("agent_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    name: str = Field(max_length=60)
    value: str = Field(default="", max_length=200)
    updated_at: datetime = timestamp_column(now=True)
