"""Tables of routing: rules, calendars, queue settings, SLA policies and clocks, tags."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class AssignmentMode(StrEnum):
    """How a queue gives its new tickets to its members."""

    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


ASSIGNMENT_LABELS = {
    AssignmentMode.MANUAL: "Manuelle",
    AssignmentMode.ROUND_ROBIN: "Tour de rôle entre les membres disponibles",
    AssignmentMode.LEAST_LOADED: "Au membre disponible le moins chargé",
}


class RoutingRule(SQLModel, table=True):
    """An ordered routing rule; conditions and actions are stored as JSON lists."""

    __tablename__ = "routing_rule"

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=60, unique=True)
    position: int = Field(default=0, index=True)
    name: str = Field(max_length=150)
    enabled: bool = Field(default=True)
    match_all: bool = Field(default=True)
    stop: bool = Field(default=True)
    conditions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    actions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    updated_by_id: int | None = Field(default=None, foreign_key="agent.id")
    updated_at: datetime = timestamp_column(now=True)


class BusinessCalendar(SQLModel, table=True):
    """Opening hours in a time zone, with the holiday areas to observe."""

    __tablename__ = "business_calendar"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=150)
    timezone: str = Field(default="Europe/Paris", max_length=60)
    weekly: list[list[list[int]]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    holiday_areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Also observe the holidays of the ticket's site (Alsace-Moselle, overseas departments).
    site_holidays: bool = Field(default=True)


class ClosedDay(SQLModel, table=True):
    """An extra day off of a calendar (bridge day, closure)."""

    __tablename__ = "closed_day"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    calendar_id: int = Field(foreign_key="business_calendar.id", index=True)
    day: date
    label: str = Field(default="", max_length=150)


class QueueRouting(SQLModel, table=True):
    """A queue's calendar and assignment mode."""

    __tablename__ = "queue_routing"

    queue_id: int = Field(
        foreign_key="queue.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    calendar_id: int | None = Field(default=None, foreign_key="business_calendar.id")
    assignment_mode: str = Field(default=AssignmentMode.MANUAL, max_length=20)
    last_assigned_agent_id: int | None = Field(default=None, foreign_key="agent.id")


class SlaPolicy(SQLModel, table=True):
    """First-response and resolution targets of a queue for a priority, and breach actions."""

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("queue_id", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    queue_id: int = Field(foreign_key="queue.id", index=True)
    priority: str = Field(max_length=10)
    response_minutes: int = Field(ge=1)
    resolution_minutes: int = Field(ge=1)
    warn_before_minutes: int = Field(default=60, ge=0)
    raise_priority: bool = Field(default=False)
    notify_supervisor: bool = Field(default=True)
    escalate_to_queue_id: int | None = Field(default=None, foreign_key="queue.id")


RUNNING = "stopped_at IS NULL"


class TicketSlaClock(SQLModel, table=True):
    """The targets of one level while it holds a ticket (a new clock at each hand-over).

    `next_check_at` is the next moment its state may change (a warning or a due date): the
    periodic check reads only the running clocks whose moment has come, through a partial
    index, however many tickets the history holds.
    """

    __tablename__ = "ticket_sla_clock"
    __table_args__ = (
        Index(
            "ix_ticket_sla_clock_running_next_check",
            "next_check_at",
            postgresql_where=text(RUNNING),
            sqlite_where=text(RUNNING),
        ),
        Index(
            "ix_ticket_sla_clock_running_checked",
            "checked_at",
            postgresql_where=text(RUNNING),
            sqlite_where=text(RUNNING),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    queue_id: int = Field(foreign_key="queue.id")
    level: int
    policy_id: int | None = Field(default=None, foreign_key="sla_policy.id")
    started_at: datetime = timestamp_column(now=True)
    stopped_at: datetime | None = timestamp_column()
    responded_at: datetime | None = timestamp_column()
    response_due_at: datetime | None = timestamp_column()
    resolution_due_at: datetime | None = timestamp_column()
    state: str = Field(default="ok", max_length=10, index=True)
    response_warned_at: datetime | None = timestamp_column()
    response_breached_at: datetime | None = timestamp_column()
    resolution_warned_at: datetime | None = timestamp_column()
    resolution_breached_at: datetime | None = timestamp_column()
    checked_at: datetime | None = timestamp_column()
    next_check_at: datetime | None = timestamp_column()


class TicketTag(SQLModel, table=True):
    """A label a rule (or an agent) put on a ticket."""

    __tablename__ = "ticket_tag"
    __table_args__ = (UniqueConstraint("ticket_id", "tag"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    tag: str = Field(max_length=60)


class TicketClassification(SQLModel, table=True):
    """The procedure and motif suggested from a ticket's text, and whether they were applied."""

    __tablename__ = "ticket_classification"

    ticket_id: int = Field(
        foreign_key="ticket.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    procedure: str | None = Field(default=None, max_length=40)
    procedure_confidence: float = Field(default=0.0)
    category: str | None = Field(default=None, max_length=60)
    category_confidence: float = Field(default=0.0)
    applied: bool = Field(default=False)
    created_at: datetime = timestamp_column(now=True)
