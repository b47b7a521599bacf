"""Tables of machine clients: the client (name, scopes, revocation) and its secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class ApiClient(SQLModel, table=True):
    """A partner system allowed to call the API (a form, the dossier service...)."""

    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp_column(now=True)
    created_by_label: str = Field(default="", max_length=200)
    revoked_at: datetime | None = timestamp_column()
    revoked_by_label: str = Field(default="", max_length=200)


class ApiClientSecret(SQLModel, table=True):
    """One key of a client: its public prefix and the SHA-256 of the key, never the key.

    A rotation adds a secret and gives the previous ones an `expires_at` (the overlap
    during which both work); a secret without `expires_at` does not expire.
    """

    __tablename__ = "api_client_secret"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="api_client.id", index=True)
    prefix: str = Field(max_length=16, unique=True, index=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = timestamp_column(now=True)
    expires_at: datetime | None = timestamp_column()
    last_used_at: datetime | None = timestamp_column()
