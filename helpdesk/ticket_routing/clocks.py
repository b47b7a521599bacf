"""SLA clocks per level: rebuilt from the ticket's history, one per stint in a queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from helpdesk.db import assign_changed, utcnow
from helpdesk.ticket_routing.models import SlaPolicy, TicketSlaClock
from helpdesk.ticket_routing.sla_batch import ChainSettings
from helpdesk.tickets.events import HANDOVER_KINDS, EventKind
from helpdesk.tickets.lifecycle import HistoryLine, status_changes
from helpdesk.tickets.models import Queue, Status, Ticket, TicketEvent
from routing.sla import Span, waiting_spans

MOVE_KINDS = HANDOVER_KINDS | {EventKind.ROUTED}
RESPONSE_KINDS = HANDOVER_KINDS | {
    EventKind.PUBLIC_REPLY,
    EventKind.NOTE,
    EventKind.STATUS_CHANGED,
}
END_STATUSES = frozenset({Status.RESOLVED.value, Status.CLOSED.value})
SAME_INSTANT = timedelta(seconds=1)


@dataclass(frozen=True)
class Stint:
    """A time the ticket spent in one queue; it ends at a move, a resolution or now."""

    queue_code: str
    start: datetime
    end: datetime | None
    responded_at: datetime | None


def history(session: Session, ticket_id: int) -> list[TicketEvent]:
    """The ticket's events in order."""
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.at), col(TicketEvent.id))
        )
    )


def stints(events: Sequence[HistoryLine]) -> list[Stint]:
    """The stints of a ticket in its queues, read from its history."""
    found: list[list] = []  # [queue, start, end, responded_at]
    queue = ""
    for event, change in zip(events, status_changes(events), strict=True):
        current = found[-1] if found and found[-1][2] is None else None
        if event.kind == EventKind.CREATED and event.to_value:
            queue = event.to_value
            found.append([queue, event.at, None, None])
        elif event.kind == EventKind.ROUTED and event.to_value and current and current[3] is None:
            queue = current[0] = event.to_value  # a routing decision retargets the stint
        elif event.kind in MOVE_KINDS and event.to_value:
            _respond(current, event)
            if current is not None:
                current[2] = event.at
            queue = event.to_value
            found.append([queue, event.at, None, None])
        elif event.kind == EventKind.REOPENED and current is None and queue:
            found.append([queue, event.at, None, None])
        elif change is not None and change[1] in END_STATUSES:  # resolved or closed (merged too)
            _respond(current, event)
            if current is not None:
                current[2] = event.at
        else:
            _respond(current, event)
    return [Stint(q, s, e, r) for q, s, e, r in found]


def _respond(current: list | None, event: HistoryLine) -> None:
    """Note the first agent action of a stint."""
    if (
        current is not None
        and current[3] is None
        and event.actor_id is not None
        and (event.kind in RESPONSE_KINDS)
    ):
        current[3] = event.at


def pauses(events: Sequence[HistoryLine]) -> list[Span]:
    """When the ticket waited on the requester (the clocks stand still)."""
    changes = zip(events, status_changes(events), strict=True)
    return waiting_spans([(event.at, change[1]) for event, change in changes if change is not None])


def sync_clocks(
    session: Session,
    ticket: Ticket,
    *,
    events: Sequence[HistoryLine] | None = None,
    clocks: Sequence[TicketSlaClock] | None = None,
    chain: ChainSettings | None = None,
) -> list[TicketSlaClock]:
    """Make the stored clocks match the ticket's stints: start, stop, note first responses.

    A batch passes the history, clocks and chain it read for many tickets at once.
    """
    if events is None:
        events = history(session, ticket.id)  # type: ignore[arg-type]
    if clocks is None:
        clocks = list(
            session.exec(select(TicketSlaClock).where(TicketSlaClock.ticket_id == ticket.id))
        )
    queues = chain.queues_by_code if chain else {q.code: q for q in session.exec(select(Queue))}
    result, created = [], False
    for stint in stints(events):
        queue = queues.get(stint.queue_code)
        if queue is None:
            continue
        clock = next(
            (
                c
                for c in clocks
                if c.queue_id == queue.id and abs(c.started_at - stint.start) < SAME_INSTANT
            ),
            None,
        )
        if clock is None:  # a new stint: its clock joins the session
            policy = (
                chain.policy_for(queue.id, ticket.priority)  # type: ignore[arg-type]
                if chain
                else _policy(session, queue, ticket.priority)
            )
            clock = _new_clock(ticket, queue, policy, stint.start)
            session.add(clock)
            created = True
        assign_changed(clock, stopped_at=stint.end, responded_at=stint.responded_at)
        result.append(clock)
    for stale in (c for c in clocks if c not in result):
        session.delete(stale)  # a stint that routing retargeted before anyone worked on it
    if created:
        session.flush()  # new clocks get their ids (warnings and breaches name them)
    return result


def _policy(session: Session, queue: Queue, priority: str) -> SlaPolicy | None:
    """The queue's policy at this priority, if any."""
    return session.exec(
        select(SlaPolicy).where(SlaPolicy.queue_id == queue.id, SlaPolicy.priority == priority)
    ).first()


def _new_clock(
    ticket: Ticket, queue: Queue, policy: SlaPolicy | None, start: datetime
) -> TicketSlaClock:
    """A clock for the queue's policy at the ticket's priority."""
    return TicketSlaClock(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        queue_id=queue.id,  # type: ignore[arg-type]
        level=queue.level,
        policy_id=policy.id if policy else None,
        started_at=start,
        state="ok" if policy else "none",
        checked_at=utcnow(),
        next_check_at=utcnow() if policy else None,  # the next check evaluates it
    )


def current_clock(session: Session, ticket_id: int) -> TicketSlaClock | None:
    """The running clock of a ticket, if any."""
    return session.exec(
        select(TicketSlaClock)
        .where(TicketSlaClock.ticket_id == ticket_id, col(TicketSlaClock.stopped_at).is_(None))
        .order_by(col(TicketSlaClock.started_at).desc())
    ).first()


def ticket_clocks(session: Session, ticket_id: int) -> list[TicketSlaClock]:
    """Every clock of a ticket in order: where its time went, level by level."""
    return list(
        session.exec(
            select(TicketSlaClock)
            .where(TicketSlaClock.ticket_id == ticket_id)
            .order_by(col(TicketSlaClock.started_at), col(TicketSlaClock.id))
        )
    )
