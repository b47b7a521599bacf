"""Tables of the référent space: the structured details of a signalement."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class ReportKind(StrEnum):
    """What a signalement is about."""

    INCIDENT = "incident"
    FUNCTIONAL = "question_fonctionnelle"
    REGULATORY = "question_reglementaire"
    CHANGE = "demande_evolution"


REPORT_KIND_LABELS = {
    ReportKind.INCIDENT: "Incident / anomalie",
    ReportKind.FUNCTIONAL: "Question fonctionnelle",
    ReportKind.REGULATORY: "Question réglementaire",
    ReportKind.CHANGE: "Demande d'évolution",
}


class Severity(StrEnum):
    """How much the problem hinders the site."""

    BLOCKING = "bloquant"
    ANNOYING = "genant"
    MINOR = "mineur"


SEVERITY_LABELS = {
    Severity.BLOCKING: "Bloquant",
    Severity.ANNOYING: "Gênant",
    Severity.MINOR: "Mineur",
}


class Report(SQLModel, table=True):
    """The details a référent gave with a signalement (the ticket holds the rest)."""

    __tablename__ = "referent_report"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True, index=True)
    kind: str = Field(max_length=40)
    severity: str = Field(max_length=20)
    affected_count: int = Field(default=0)
    occurred_at: datetime | None = timestamp_column()
    browser: str = Field(default="", max_length=200)
    steps: str = Field(default="", sa_column=Column(Text, nullable=False))
