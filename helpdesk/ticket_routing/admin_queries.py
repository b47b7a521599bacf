"""Read-side queries of the routing pages: rules, queues, policies, calendars, ticket panel."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from dossiers.catalog import CATALOG
from helpdesk.ticket_routing.clocks import ticket_clocks
from helpdesk.ticket_routing.models import (
    ASSIGNMENT_LABELS,
    BusinessCalendar,
    ClosedDay,
    QueueRouting,
    SlaPolicy,
    TicketClassification,
    TicketTag,
)
from helpdesk.ticket_routing.rules_store import stored_rows, to_rule
from helpdesk.tickets.models import PRIORITY_LABELS, Priority, Queue, Ticket
from routing.calendars import HOLIDAY_AREAS, format_weekly, holiday_names
from routing.rules_text import format_actions, format_conditions
from routing.sla import SLA_STATE_LABELS

DRY_RUN_FIELDS = ("reference", "subject", "message", "channel", "requester", "procedure")
REQUESTER_LABELS = {
    "usager": "Usager",
    "referent-sejour": "Référent séjour (préfecture)",
    "referent-natali": "Référent NATALI (plateforme)",
}


def queues(session: Session) -> list[Queue]:
    """Every queue by level."""
    return list(session.exec(select(Queue).order_by(col(Queue.level), col(Queue.name))))


def rules_context(session: Session) -> dict[str, Any]:
    """What the rules page shows."""
    rows = []
    for row in stored_rows(session):
        rule = to_rule(row)
        rows.append(
            {
                "row": row,
                "conditions": format_conditions(rule.conditions),
                "actions": format_actions(rule.actions),
            }
        )
    settings = {s.queue_id: s for s in session.exec(select(QueueRouting))}
    return {
        "rules": rows,
        "queues": queues(session),
        "queue_settings": settings,
        "assignment_labels": ASSIGNMENT_LABELS,
        "requester_labels": REQUESTER_LABELS,
        "procedures": CATALOG,
        "params": dict.fromkeys(DRY_RUN_FIELDS, ""),
        "result": None,
        "error": None,
    }


def policies_context(session: Session) -> dict[str, Any]:
    """What the SLA policies page shows: one row per queue and priority."""
    order = {p.value: i for i, p in enumerate(Priority)}
    policies = sorted(
        session.exec(select(SlaPolicy)), key=lambda p: (p.queue_id, -order.get(p.priority, 0))
    )
    return {
        "policies": policies,
        "queues_by_id": {q.id: q for q in queues(session)},
        "queues": queues(session),
        "priority_labels": {p.value: label for p, label in PRIORITY_LABELS.items()},
    }


def calendars_context(session: Session) -> dict[str, Any]:
    """What the calendars page shows, with this year's and next year's holidays."""
    year = date.today().year
    calendars = []
    for row in session.exec(select(BusinessCalendar).order_by(col(BusinessCalendar.id))):
        weekly = tuple(tuple((s, e) for s, e in day) for day in row.weekly)
        closed = session.exec(
            select(ClosedDay).where(ClosedDay.calendar_id == row.id).order_by(col(ClosedDay.day))
        ).all()
        holidays = {**holiday_names(year, frozenset(row.holiday_areas))}
        holidays.update(holiday_names(year + 1, frozenset(row.holiday_areas)))
        calendars.append(
            {"row": row, "hours": format_weekly(weekly), "closed": closed, "holidays": holidays}
        )
    settings = {s.queue_id: s for s in session.exec(select(QueueRouting))}
    return {
        "calendars": calendars,
        "areas": HOLIDAY_AREAS,
        "queues": queues(session),
        "queue_settings": settings,
    }


def ticket_panel(session: Session, ticket: Ticket) -> dict[str, Any]:
    """The routing panel of a ticket: suggestion, tags and the clocks level by level."""
    queues_by_id = {q.id: q for q in queues(session)}
    return {
        "ticket": ticket,
        "classification": session.get(TicketClassification, ticket.id),
        "tags": list(session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket.id))),
        "clocks": ticket_clocks(session, ticket.id),  # type: ignore[arg-type]
        "queues_by_id": queues_by_id,
        "sla_labels": SLA_STATE_LABELS,
    }
