"""Tables of the dossier area: the dossier events received (for idempotence and audit)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class DossierEventReceipt(SQLModel, table=True):
    """A dossier event the webhook accepted once; a replay of its id is ignored."""

    __tablename__ = "dossier_event_receipt"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=100, unique=True, index=True)
    dossier_number: str = Field(max_length=30, index=True)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str = Field(max_length=40)
    occurred_at: datetime = timestamp_column(now=True)
    received_at: datetime = timestamp_column(now=True)
    outcome: str = Field(max_length=20)
    tickets: int = Field(default=0)
