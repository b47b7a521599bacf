"""Default rules, calendars, queue settings and SLA policies, created when missing."""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.db import require_id
from helpdesk.ticket_routing.models import (
    BusinessCalendar,
    QueueRouting,
    RoutingRule,
    SlaPolicy,
)
from helpdesk.ticket_routing.rules_store import parse_form
from helpdesk.tickets.models import Priority, Queue
from routing.defaults import (
    DEFAULT_CALENDARS,
    DEFAULT_RULES,
    PRIORITY_FACTORS,
    QUEUE_CALENDARS,
    QUEUE_TARGETS,
    WARNING_SHARE,
)


def ensure_routing_defaults(session: Session) -> None:
    """Seed what routing needs on a fresh install; never overwrites an administrator's edits."""
    calendars = _ensure_calendars(session)
    for queue in session.exec(select(Queue)).all():
        if session.get(QueueRouting, queue.id) is None:
            calendar = calendars.get(QUEUE_CALENDARS.get(queue.code, "jours-ouvres"))
            session.add(QueueRouting(queue_id=require_id(queue), calendar_id=calendar))
        _ensure_policies(session, queue)
    _ensure_rules(session)
    session.flush()


def _ensure_calendars(session: Session) -> dict[str, int]:
    """The default calendars by code, created if missing."""
    ids: dict[str, int] = {}
    for code, name, weekly in DEFAULT_CALENDARS:
        row = session.exec(select(BusinessCalendar).where(BusinessCalendar.code == code)).first()
        if row is None:
            row = BusinessCalendar(
                code=code, name=name, weekly=[[list(i) for i in day] for day in weekly]
            )
            session.add(row)
            session.flush()
        ids[code] = require_id(row)
    return ids


def _ensure_policies(session: Session, queue: Queue) -> None:
    """One SLA policy per priority for the queue, from the default targets."""
    existing = set(session.exec(select(SlaPolicy.priority).where(SlaPolicy.queue_id == queue.id)))
    response_hours, resolution_hours = QUEUE_TARGETS.get(queue.code, (8, 24))
    for priority in Priority:
        if priority.value in existing:
            continue
        factor = PRIORITY_FACTORS[priority.value]
        resolution = int(resolution_hours * 60 * factor)
        session.add(
            SlaPolicy(
                queue_id=require_id(queue),
                priority=priority.value,
                response_minutes=int(response_hours * 60 * factor),
                resolution_minutes=resolution,
                warn_before_minutes=int(resolution * WARNING_SHARE) // 4,
                raise_priority=queue.level == 1,
                notify_supervisor=True,
            )
        )


def _ensure_rules(session: Session) -> None:
    """The default rules of the chain, by code, appended in order if missing."""
    known = set(session.exec(select(RoutingRule.code)).all())
    position = 0
    for default in DEFAULT_RULES:
        position += 10
        if default.code in known:
            continue
        values = parse_form(session, conditions=default.conditions, actions=default.actions)
        session.add(
            RoutingRule(
                code=default.code,
                name=default.name,
                position=position,
                stop=default.stop,
                conditions=values["conditions"],
                actions=values["actions"],
            )
        )
