"""Tables of organisations, agents and their sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class OrganisationKind(StrEnum):
    """The kinds of organisation in the support chain."""

    CCC = "ccc"
    DP_ANEF = "dp_anef"
    SDST = "sdst"
    SDANF = "sdanf"
    PREFECTURE = "prefecture"
    PLATFORM = "naturalisation_platform"


class Role(StrEnum):
    """What an agent may do; the organisation says where."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    EDITOR = "editor"
    REFERENT = "referent"
    INCIDENT_MANAGER = "incident_manager"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.AGENT: "Agent",
    Role.SUPERVISOR: "Superviseur",
    Role.EDITOR: "Rédacteur de la base de connaissances",
    Role.REFERENT: "Référent",
    Role.INCIDENT_MANAGER: "Gestionnaire d'incidents",
    Role.ADMIN: "Administrateur",
}


class Organisation(SQLModel, table=True):
    """CCC, DP ANEF, SDST, SDANF, and sites (préfectures, naturalisation platforms)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40, index=True)


class Agent(SQLModel, table=True):
    """Anyone who signs in: téléconseillers, agents, référents, editors, admins."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20, index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="organisation.id")
    active: bool = Field(default=True)
    created_at: datetime = timestamp_column(now=True)
    last_sign_in_at: datetime | None = timestamp_column()


class AgentSession(SQLModel, table=True):
    """A server-side sign-in session; only a hash of its token is stored."""

    __tablename__ = "agent_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    created_at: datetime = timestamp_column(now=True)
    last_seen_at: datetime = timestamp_column(now=True)
    revoked_at: datetime | None = timestamp_column()


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, keyed by a hash of the e-mail or of the client address."""

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, index=True)
    at: datetime = timestamp_column(now=True, index=True)
