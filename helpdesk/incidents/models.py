"""Tables of incidents, their linked tickets, notices (releases, incidents) and read receipts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class IncidentStatus(StrEnum):
    """Where an incident stands."""

    ONGOING = "en_cours"
    WORKAROUND = "contourne"
    RESOLVED = "resolu"


INCIDENT_STATUS_LABELS = {
    IncidentStatus.ONGOING: "En cours",
    IncidentStatus.WORKAROUND: "Contourné",
    IncidentStatus.RESOLVED: "Résolu",
}


class NoticeKind(StrEnum):
    """What a notice announces."""

    RELEASE = "release"
    INCIDENT = "incident"


NOTICE_KIND_LABELS = {NoticeKind.RELEASE: "Mise en production", NoticeKind.INCIDENT: "Incident"}


class Incident(SQLModel, table=True):
    """A malfunction recorded by DP ANEF, which tickets are linked to."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    procedures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    all_sites: bool = Field(default=True)
    sites: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    started_at: datetime = timestamp_column(now=True)
    status: str = Field(default=IncidentStatus.ONGOING, max_length=20, index=True)
    workaround: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = timestamp_column(now=True)
    updated_at: datetime = timestamp_column(now=True)
    resolved_at: datetime | None = timestamp_column()
    resolved_by_id: int | None = Field(default=None, foreign_key="agent.id")
    usager_reply: str = Field(default="", sa_column=Column(Text, nullable=False))
    referent_message: str = Field(default="", sa_column=Column(Text, nullable=False))
    version: int = Field(default=1)


class LinkOutcome(StrEnum):
    """What the incident's resolution did on one linked ticket."""

    NOTIFIED = "notified"
    CLOSED = "closed"
    MERGED = "merged"
    NOT_ALLOWED = "not_allowed"


LINK_OUTCOME_LABELS = {
    LinkOutcome.NOTIFIED: "Message envoyé, ticket résolu",
    LinkOutcome.CLOSED: "Ignoré : le ticket était déjà clos",
    LinkOutcome.MERGED: "Ignoré : le ticket a été fusionné dans un autre",
    LinkOutcome.NOT_ALLOWED: (
        "Ignoré : le ticket a quitté les files où la personne qui a résolu l'incident "
        "peut répondre ; à traiter par sa file"
    ),
}


class IncidentTicket(SQLModel, table=True):
    """A ticket linked to an incident; `notified_at` is set once its resolution is posted."""

    __tablename__ = "incident_ticket"
    __table_args__ = (UniqueConstraint("incident_id", "ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    linked_by_id: int | None = Field(default=None, foreign_key="agent.id")
    linked_at: datetime = timestamp_column(now=True)
    notified_at: datetime | None = timestamp_column()
    outcome: str = Field(default="", max_length=20)


class Notice(SQLModel, table=True):
    """A release note or an incident notice, shown to and e-mailed to its audience."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    title: str = Field(max_length=200)
    released_on: datetime = timestamp_column(now=True)
    procedures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    all_sites: bool = Field(default=True)
    sites: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    changes: str = Field(default="", sa_column=Column(Text, nullable=False))
    known_issues: str = Field(default="", sa_column=Column(Text, nullable=False))
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="agent.id")
    published_at: datetime = timestamp_column(now=True, index=True)


class NoticeRead(SQLModel, table=True):
    """A référent marked a notice read."""

    __tablename__ = "notice_read"
    __table_args__ = (UniqueConstraint("notice_id", "agent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    read_at: datetime = timestamp_column(now=True)
