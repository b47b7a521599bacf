"""Tables of the public intake: follow-up links, sent forms, rate-limit hits, deflection."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class FollowUpLink(SQLModel, table=True):
    """A secret follow-up link of a ticket; only the hash of its token is kept."""

    __tablename__ = "intake_follow_up_link"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_column(now=True)


class ContactSubmission(SQLModel, table=True):
    """A form that became a ticket, remembered by fingerprint to spot a repeated send."""

    __tablename__ = "intake_submission"

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(max_length=64, index=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    created_at: datetime = timestamp_column(now=True, index=True)


class RateHit(SQLModel, table=True):
    """One send counted against a client (the limiter's store without Redis)."""

    __tablename__ = "intake_rate_hit"

    id: int | None = Field(default=None, primary_key=True)
    client_key: str = Field(max_length=64, index=True)
    at: datetime = timestamp_column(now=True, index=True)


class DeflectionEvent(SQLModel, table=True):
    """What a visitor of the form saw and did with the suggested articles."""

    __tablename__ = "intake_deflection_event"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: str = Field(max_length=40, index=True)
    kind: str = Field(max_length=10)  # shown, opened, left, sent
    article: str | None = Field(default=None, max_length=120)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    language: str = Field(default="fr", max_length=5)
    created_at: datetime = timestamp_column(now=True, index=True)
