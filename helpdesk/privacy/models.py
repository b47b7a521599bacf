"""Tables of personal-data protection: retention runs and usagers' requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class RetentionRun(SQLModel, table=True):
    """One run of the retention job: when, and how many rows of each kind it handled."""

    __tablename__ = "retention_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = timestamp_column(now=True, index=True)
    finished_at: datetime | None = timestamp_column()
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    more: bool = Field(default=False)  # work was left for a continuation run


class RequestKind(StrEnum):
    """What an usager asks about their personal data."""

    ACCESS = "access"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"


REQUEST_KIND_LABELS = {
    RequestKind.ACCESS: "Droit d'accès",
    RequestKind.ERASURE: "Droit à l'effacement",
    RequestKind.RECTIFICATION: "Droit de rectification",
}


class RequestStatus(StrEnum):
    """Where a request stands."""

    OPEN = "open"
    ANSWERED = "answered"


class DataRequest(SQLModel, table=True):
    """A request of an usager about their data, to answer within one month.

    The requester is named by e-mail and/or numéro étranger; pages reach the request by its
    id, so that no personal identifier ever appears in a URL.
    """

    __tablename__ = "data_request"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    requester_email: str | None = Field(default=None, max_length=254)
    requester_foreign_number: str | None = Field(default=None, max_length=10)
    received_on: date
    due_on: date = Field(index=True)
    status: str = Field(default=RequestStatus.OPEN, max_length=20, index=True)
    note: str = Field(default="", max_length=500)
    opened_by_id: int | None = Field(default=None, foreign_key="agent.id")
    opened_at: datetime = timestamp_column(now=True)
    exported_at: datetime | None = timestamp_column()
    answered_at: datetime | None = timestamp_column()
    answered_by_id: int | None = Field(default=None, foreign_key="agent.id")
