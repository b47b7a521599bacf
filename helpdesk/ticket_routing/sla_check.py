"""The periodic SLA check: states and due dates, warnings and breaches once, policy actions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import update
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.db import utcnow
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import may_view
from helpdesk.ticket_routing.calendars import queue_calendar
from helpdesk.ticket_routing.clocks import history, pauses, sync_clocks
from helpdesk.ticket_routing.models import SlaPolicy, TicketSlaClock
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import ACTIVE_STATUSES, Line, place_in_queue, record_handover
from helpdesk.tickets.models import HandoverRoute, Priority, Queue, Ticket
from helpdesk.tickets.service import record_event, touch
from routing.sla import SlaState, TargetStatus, evaluate, worst

log = structlog.get_logger(__name__)
TARGET_LABELS = {"response": "première réponse", "resolution": "résolution"}
PRIORITY_ORDER = [p.value for p in Priority]
DUE_BATCH = 200  # clocks whose moment has come, per run; a full batch continues at once
REVISIT_BATCH = 20  # the least recently checked running clocks (a calendar or policy changed)
NEW_BATCH = 20  # active tickets without any clock (a safety net: sla_sync makes them)


@dataclass(frozen=True)
class CheckPlan:
    """The tickets one run checks, and whether due clocks are left for another run."""

    ticket_ids: list[int]
    more: bool


def tickets_to_check(
    session: Session,
    *,
    now: datetime,
    due_batch: int = DUE_BATCH,
    revisit_batch: int = REVISIT_BATCH,
    new_batch: int = NEW_BATCH,
) -> CheckPlan:
    """The tickets whose running clock reached its next warning or due date, a few running
    clocks checked longest ago, and active tickets without a clock: all by index, so a run
    costs what is due, not what the history holds.

    Concurrent runs take different clocks (SKIP LOCKED on PostgreSQL; SQLite runs one
    writer at a time).
    """
    running = col(TicketSlaClock.stopped_at).is_(None)
    due = session.exec(
        select(TicketSlaClock.ticket_id)
        .where(running, col(TicketSlaClock.next_check_at) <= now)
        .order_by(col(TicketSlaClock.next_check_at))
        .limit(due_batch)
        .with_for_update(skip_locked=True)
    ).all()
    revisit = session.exec(
        select(TicketSlaClock.ticket_id)
        .where(running, col(TicketSlaClock.checked_at).is_not(None))
        .order_by(col(TicketSlaClock.checked_at))
        .limit(revisit_batch)
        .with_for_update(skip_locked=True)
    ).all()
    has_clock = select(TicketSlaClock.id).where(col(TicketSlaClock.ticket_id) == Ticket.id)
    new = session.exec(
        select(Ticket.id)
        .where(col(Ticket.status).in_([s.value for s in ACTIVE_STATUSES]), ~has_clock.exists())
        .order_by(col(Ticket.id).desc())
        .limit(new_batch)
    ).all()
    ids = {i for i in (*due, *revisit, *new) if i is not None}
    return CheckPlan(ticket_ids=sorted(ids), more=len(due) == due_batch)


def check_ticket(session: Session, *, ticket_id: int, now: datetime | None = None) -> None:
    """Bring a ticket's clocks up to date and act on new warnings and breaches."""
    now = now or utcnow()
    ticket = session.get(Ticket, ticket_id, with_for_update=True, populate_existing=True)
    if ticket is None:
        return
    clocks = sync_clocks(session, ticket)
    spans = pauses(history(session, ticket_id))
    for clock in clocks:
        if clock.policy_id is None or (clock.stopped_at and clock.state in ("met", "breached")):
            continue
        policy = session.get(SlaPolicy, clock.policy_id)
        if policy is not None:
            _check_clock(session, ticket, clock, policy, spans, now)


def _check_clock(
    session: Session,
    ticket: Ticket,
    clock: TicketSlaClock,
    policy: SlaPolicy,
    spans: list,
    now: datetime,
) -> None:
    """Evaluate both targets of one clock and store the result."""
    calendar = queue_calendar(session, queue_id=clock.queue_id, site_id=ticket.site_id)
    warn = timedelta(minutes=policy.warn_before_minutes)

    def target(minutes: int, met_at: datetime | None) -> TargetStatus:
        return evaluate(
            calendar,
            start=clock.started_at,
            target=timedelta(minutes=minutes),
            warn_before=warn,
            now=now,
            spans=spans,
            met_at=met_at,
        )

    response = target(policy.response_minutes, clock.responded_at or clock.stopped_at)
    resolution = target(policy.resolution_minutes, clock.stopped_at)
    clock.response_due_at, clock.resolution_due_at = response.due_at, resolution.due_at
    clock.state = worst(response.state, resolution.state).value
    clock.checked_at = now
    session.add(clock)
    for name, status in (("response", response), ("resolution", resolution)):
        _warn_or_breach(session, ticket, clock, policy, name, status, now)
    clock.next_check_at = _earliest(
        status.next_change(
            warned=getattr(clock, f"{name}_warned_at") is not None,
            breached=getattr(clock, f"{name}_breached_at") is not None,
        )
        for name, status in (("response", response), ("resolution", resolution))
    )


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    """The first of the moments given (None when there is none)."""
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def _warn_or_breach(
    session: Session,
    ticket: Ticket,
    clock: TicketSlaClock,
    policy: SlaPolicy,
    name: str,
    status: TargetStatus,
    now: datetime,
) -> None:
    """Record a warning or a breach of one target, exactly once each."""
    if status.state == SlaState.WARNING and _mark_once(session, clock, f"{name}_warned_at", now):
        _record(session, ticket, clock, EventKind.SLA_WARNING, name, status)
    if status.state == SlaState.BREACHED and _mark_once(session, clock, f"{name}_breached_at", now):
        _record(session, ticket, clock, EventKind.SLA_BREACHED, name, status)
        _breach_actions(session, ticket, clock, policy, name)


def _mark_once(session: Session, clock: TicketSlaClock, column: str, now: datetime) -> bool:
    """Set a timestamp that is still empty; False if another run already set it."""
    result = session.execute(
        update(TicketSlaClock)
        .where(col(TicketSlaClock.id) == clock.id, getattr(TicketSlaClock, column).is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    setattr(clock, column, now)
    return True


def _record(
    session: Session,
    ticket: Ticket,
    clock: TicketSlaClock,
    kind: EventKind,
    name: str,
    status: TargetStatus,
) -> None:
    """Write the warning or breach in the ticket's history."""
    queue = session.get(Queue, clock.queue_id)
    due = status.due_at.isoformat() if status.due_at else None
    word = "bientôt atteint" if kind == EventKind.SLA_WARNING else "dépassé"
    record_event(
        session,
        ticket,
        None,
        kind=kind,
        to_value=queue.code if queue else None,
        reason=f"Délai de {TARGET_LABELS[name]} {word} (niveau {clock.level})",
        data={"target": name, "clock_id": clock.id, "due_at": due},
    )


def _breach_actions(
    session: Session, ticket: Ticket, clock: TicketSlaClock, policy: SlaPolicy, name: str
) -> None:
    """The policy's actions: raise the priority, notify the supervisors, escalate."""
    reason = f"Délai de {TARGET_LABELS[name]} dépassé"
    if policy.raise_priority and clock.stopped_at is None:
        _raise_priority(session, ticket, reason)
    if policy.notify_supervisor:
        _notify_supervisors(session, ticket, clock, reason)
    if policy.escalate_to_queue_id and clock.stopped_at is None:
        _escalate(session, ticket, policy.escalate_to_queue_id, reason)


def _raise_priority(session: Session, ticket: Ticket, reason: str) -> None:
    """One step up the priorities (urgent stays urgent)."""
    index = PRIORITY_ORDER.index(ticket.priority) if ticket.priority in PRIORITY_ORDER else 1
    if index + 1 >= len(PRIORITY_ORDER):
        return
    new = PRIORITY_ORDER[index + 1]
    record_event(
        session,
        ticket,
        None,
        kind=EventKind.PRIORITY_CHANGED,
        from_value=ticket.priority,
        to_value=new,
        reason=reason,
    )
    ticket.priority = new
    touch(ticket)


def supervisors_of(session: Session, queue: Queue) -> list[Agent]:
    """The active supervisors of the queue's organisation."""
    return list(
        session.exec(
            select(Agent).where(
                Agent.organisation_id == queue.organisation_id,
                Agent.role == Role.SUPERVISOR,
                col(Agent.active).is_(True),
            )
        )
    )


def _notify_supervisors(
    session: Session, ticket: Ticket, clock: TicketSlaClock, reason: str
) -> None:
    """E-mail the supervisors of the level whose target was missed."""
    queue = session.get(Queue, clock.queue_id)
    if queue is None:
        return
    for supervisor in supervisors_of(session, queue):
        if not may_view(session, supervisor, ticket):
            continue  # the e-mail names the ticket: only to those who may open it
        queue_mail(
            session,
            recipient=supervisor.email,
            subject=f"[Assistance ANEF] {reason} : {ticket.reference}",
            body=(
                f"Bonjour,\n\nLe ticket {ticket.reference} (« {ticket.subject} ») de la file "
                f"{queue.name} a dépassé son délai : {reason.lower()}.\n\n"
                f"Consultez-le dans la console : /tickets/{ticket.id}\n"
            ),
            ticket_id=ticket.id,
        )


def _escalate(session: Session, ticket: Ticket, to_queue_id: int, reason: str) -> None:
    """Move the ticket to the next level when the chain allows it, else note why not."""
    source, target = session.get(Queue, ticket.queue_id), session.get(Queue, to_queue_id)
    route = session.exec(
        select(HandoverRoute).where(
            HandoverRoute.from_queue_id == ticket.queue_id, HandoverRoute.to_queue_id == to_queue_id
        )
    ).first()
    if source is None or target is None or route is None:
        record_event(
            session, ticket, None, kind=EventKind.NOTE, reason=f"{reason} : escalade impossible"
        )
        return
    place_in_queue(session, ticket, queue_id=to_queue_id)
    # Like an agent's hand-over, it puts a new ticket to work (through the lifecycle).
    record_handover(
        session,
        ticket,
        None,
        Line(
            EventKind(route.kind),
            from_value=source.code,
            to_value=target.code,
            reason=f"{reason} : escalade automatique",
        ),
    )
    touch(ticket)
    sync_clocks(session, ticket)
