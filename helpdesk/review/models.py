"""Tables of the point bimensuel: the reviews held (the start of the next period)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class ReviewMeeting(SQLModel, table=True):
    """A point bimensuel held by DP ANEF, SDST and the CCC."""

    __tablename__ = "review_meeting"

    id: int | None = Field(default=None, primary_key=True)
    held_at: datetime = timestamp_column(now=True, index=True)
    held_by_id: int | None = Field(default=None, foreign_key="agent.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
