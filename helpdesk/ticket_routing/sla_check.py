"""The periodic SLA check: states and due dates, warnings and breaches once, policy actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlmodel import Session, col, select

from helpdesk.db import assign_changed, utcnow
from helpdesk.ticket_routing.clocks import pauses, sync_clocks
from helpdesk.ticket_routing.models import SlaPolicy, TicketSlaClock
from helpdesk.ticket_routing.sla_batch import ChainSettings, TicketState, lock_tickets
from helpdesk.ticket_routing.sla_digest import MissedTarget, send_digests
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import Line, is_active, place_in_queue, record_handover
from helpdesk.tickets.models import HandoverRoute, Priority, Queue, Ticket
from helpdesk.tickets.service import record_event, touch
from routing.calendars import Calendar
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
        .where(is_active(), ~has_clock.exists())
        .order_by(col(Ticket.id).desc())
        .limit(new_batch)
    ).all()
    ids = {i for i in (*due, *revisit, *new) if i is not None}
    return CheckPlan(ticket_ids=sorted(ids), more=len(due) == due_batch)


def check_due(session: Session, *, now: datetime, continuation: bool = False) -> CheckPlan:
    """One run of the periodic check: the due clocks, and (unless it continues a run that
    found more due) a few clocks checked longest ago and active tickets without a clock."""
    only_due = {"revisit_batch": 0, "new_batch": 0} if continuation else {}
    plan = tickets_to_check(session, now=now, **only_due)
    check_tickets(session, plan.ticket_ids, now=now)
    return plan


def check_ticket(session: Session, *, ticket_id: int, now: datetime | None = None) -> None:
    """Bring a ticket's clocks up to date and act on new warnings and breaches."""
    check_tickets(session, [ticket_id], now=now)


def check_tickets(
    session: Session, ticket_ids: Sequence[int], *, now: datetime | None = None
) -> None:
    """Check a batch of tickets: locked and read together, the chain's settings read once."""
    now = now or utcnow()
    chain = ChainSettings.load(session)
    with session.no_autoflush:  # one flush for the batch: its writes go out together
        for state in lock_tickets(session, ticket_ids):
            _check_one(session, chain, state, now)
    session.flush()
    send_digests(session, chain.missed, chain.supervisors)


def _check_one(session: Session, chain: ChainSettings, state: TicketState, now: datetime) -> None:
    """Sync one locked ticket's clocks with its history, then evaluate the running ones."""
    ticket = state.ticket
    clocks = sync_clocks(session, ticket, events=state.events, clocks=state.clocks, chain=chain)
    spans = pauses(state.events)
    for clock in clocks:
        if clock.policy_id is None or (clock.stopped_at and clock.state in ("met", "breached")):
            continue
        policy = chain.policies.get(clock.policy_id)
        if policy is not None:
            calendar = chain.calendar(clock.queue_id, ticket.site_id)
            _check_clock(session, chain, ticket, clock, Target(policy, calendar), spans, now)


@dataclass(frozen=True)
class Target:
    """The policy a clock runs under and the calendar it counts by."""

    policy: SlaPolicy
    calendar: Calendar


def _check_clock(
    session: Session,
    chain: ChainSettings,
    ticket: Ticket,
    clock: TicketSlaClock,
    target_of: Target,
    spans: list,
    now: datetime,
) -> None:
    """Evaluate both targets of one clock and store the result."""
    policy = target_of.policy
    warn = timedelta(minutes=policy.warn_before_minutes)

    def target(minutes: int, met_at: datetime | None) -> TargetStatus:
        return evaluate(
            target_of.calendar,
            start=clock.started_at,
            target=timedelta(minutes=minutes),
            warn_before=warn,
            now=now,
            spans=spans,
            met_at=met_at,
        )

    response = target(policy.response_minutes, clock.responded_at or clock.stopped_at)
    resolution = target(policy.resolution_minutes, clock.stopped_at)
    assign_changed(
        clock,
        response_due_at=response.due_at,
        resolution_due_at=resolution.due_at,
        state=worst(response.state, resolution.state).value,
        checked_at=now,
    )
    for name, status in (("response", response), ("resolution", resolution)):
        _warn_or_breach(session, chain, ticket, clock, policy, name, status, now)
    next_check_at = _earliest(
        status.next_change(
            warned=getattr(clock, f"{name}_warned_at") is not None,
            breached=getattr(clock, f"{name}_breached_at") is not None,
        )
        for name, status in (("response", response), ("resolution", resolution))
    )
    assign_changed(clock, next_check_at=next_check_at)


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    """The first of the moments given (None when there is none)."""
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def _warn_or_breach(
    session: Session,
    chain: ChainSettings,
    ticket: Ticket,
    clock: TicketSlaClock,
    policy: SlaPolicy,
    name: str,
    status: TargetStatus,
    now: datetime,
) -> None:
    """Record a warning or a breach of one target, exactly once each."""
    if status.state == SlaState.WARNING and _mark_once(clock, f"{name}_warned_at", now):
        _record(session, ticket, clock, EventKind.SLA_WARNING, name, status)
    if status.state == SlaState.BREACHED and _mark_once(clock, f"{name}_breached_at", now):
        _record(session, ticket, clock, EventKind.SLA_BREACHED, name, status)
        _breach_actions(session, chain, ticket, clock, policy, name)


def _mark_once(clock: TicketSlaClock, column: str, now: datetime) -> bool:
    """Set a timestamp that is still empty; False if a run already set it.

    The clock was read after its ticket was locked (`lock_tickets`), so no other check can
    set it between this read and the commit.
    """
    if getattr(clock, column) is not None:
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
    session: Session,
    chain: ChainSettings,
    ticket: Ticket,
    clock: TicketSlaClock,
    policy: SlaPolicy,
    name: str,
) -> None:
    """The policy's actions: raise the priority, notify the supervisors, escalate."""
    reason = f"Délai de {TARGET_LABELS[name]} dépassé"
    if policy.raise_priority and clock.stopped_at is None:
        _raise_priority(session, ticket, reason)
    if policy.notify_supervisor:
        queue = chain.queues.get(clock.queue_id)
        if queue is not None:
            chain.missed.append(MissedTarget(ticket, queue, reason))
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


def _escalate(session: Session, ticket: Ticket, to_queue_id: int, reason: str) -> None:
    """Move the ticket to the next level when the chain allows it, else note why not."""
    session.flush()  # the batch does not autoflush: the moves below read the history
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
    session.flush()
    sync_clocks(session, ticket)
