"""SLA state of tickets for queue lists: badges and the supervisors' filter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.tickets.models import Ticket
from routing.sla import SLA_STATE_LABELS, SlaState

SLA_FILTERS = {
    "": "Tous",
    SlaState.BREACHED.value: "Délai dépassé",
    SlaState.WARNING.value: "Échéance proche",
    SlaState.OK.value: "Dans les délais",
    SlaState.PAUSED.value: "En pause",
}
BADGE_CLASSES = {
    SlaState.BREACHED.value: "fr-badge--error",
    SlaState.WARNING.value: "fr-badge--warning",
    SlaState.OK.value: "fr-badge--success",
    SlaState.PAUSED.value: "fr-badge--info",
    SlaState.MET.value: "fr-badge--success",
}


def sla_condition(state: str) -> ColumnElement[bool] | None:
    """Tickets whose running clock is in this state (None when the filter is unknown)."""
    if state not in SLA_FILTERS or not state:
        return None
    running = select(TicketSlaClock.ticket_id).where(
        col(TicketSlaClock.stopped_at).is_(None), TicketSlaClock.state == state
    )
    return col(Ticket.id).in_(running)


def sla_badges(session: Session, ticket_ids: list[int | None]) -> dict[int, dict[str, Any]]:
    """The badge of each ticket's running clock: state, label, due date."""
    ids = [i for i in ticket_ids if i is not None]
    if not ids:
        return {}
    clocks = session.exec(
        select(TicketSlaClock)
        .where(col(TicketSlaClock.ticket_id).in_(ids), col(TicketSlaClock.stopped_at).is_(None))
        .order_by(col(TicketSlaClock.started_at))
    )
    badges: dict[int, dict[str, Any]] = {}
    for clock in clocks:
        if clock.state not in BADGE_CLASSES:
            continue
        badges[clock.ticket_id] = {
            "state": clock.state,
            "label": SLA_STATE_LABELS[SlaState(clock.state)],
            "css": BADGE_CLASSES[clock.state],
            "due_at": clock.resolution_due_at,
        }
    return badges
