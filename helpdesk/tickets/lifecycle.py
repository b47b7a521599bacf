"""The ticket lifecycle: which status changes are allowed, and the one function that makes them.

`transition` is the only code that assigns `Ticket.status`. It checks the move, sets the
timestamps, writes the change's one history line, bumps the version and asks for the SLA
clocks to be brought up to date. The line is a "status_changed" (or "reopened") line, or the
line of the action that implies the change: a merge closes the merged ticket, a hand-over puts
a new ticket to work (`implied_status`). `record_event` writes the lines that change no status;
`touch` marks a ticket changed. `place_in_queue` is the only code that moves a ticket to
another queue: it also notes the passage that keeps the ticket readable there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, text
from sqlalchemy.orm import object_session
from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.errors import InvalidTransitionError
from helpdesk.jobs.registry import enqueue_job
from helpdesk.text_limits import REASON_MAX, check_lengths
from helpdesk.tickets.events import HANDOVER_KINDS, STATUS_LINE_KINDS, EventKind
from helpdesk.tickets.models import (
    ACTIVE_CONDITION,
    ACTIVE_STATUS_VALUES,
    STATUS_LABELS,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.tickets.passages import record_passage

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

ACTIVE_STATUSES = frozenset(Status(value) for value in ACTIVE_STATUS_VALUES)


def is_active() -> ColumnElement[bool]:
    """SQL: the ticket is in progress, written exactly as the partial indexes' predicate
    (literal values, same order) so that PostgreSQL and SQLite both match those indexes."""
    return text(f"ticket.{ACTIVE_CONDITION}")  # type: ignore[return-value]


# The job that brings a ticket's SLA clocks up to date (registered by helpdesk.ticket_routing):
# a resolution or a closure stops the running clock, a reopening starts a new one, a wait
# pauses it. Clocks are rebuilt from the history, so the job only has to run after the commit.
SLA_SYNC_JOB = "routing.sla_sync"
SYSTEM_LABEL = "Système"


class Cause(StrEnum):
    """Why a ticket changes status (a first-contact resolution is also a first response)."""

    AGENT = "agent"  # an agent's choice on the ticket page or in a bulk action
    REQUESTER_ANSWER = "requester_answer"  # the requester wrote back
    FIRST_CONTACT = "first_contact"  # a phone call resolved while the requester was on the line
    INCIDENT = "incident"  # the resolution of an incident was posted on the ticket
    ACTION = "action"  # the action's own line implies the change (merge, hand-over)


@dataclass(frozen=True)
class Line:
    """A history line to write: the kind and what it shows."""

    kind: EventKind
    from_value: str | None = None
    to_value: str | None = None
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def can_change(current: str, target: str) -> bool:
    """Whether a ticket in `current` may be moved to `target` by a status change."""
    try:
        return Status(target) in TRANSITIONS[Status(current)]
    except ValueError:
        return False


def is_reopen(current: str, target: str) -> bool:
    """Whether the change reopens a resolved ticket."""
    return current == Status.RESOLVED and target == Status.OPEN


def next_statuses(current: str) -> list[Status]:
    """The statuses an agent may move the ticket to, in lifecycle order."""
    allowed = TRANSITIONS.get(Status(current), frozenset())
    return [status for status in Status if status in allowed]


def implied_status(kind: str, current: str) -> Status | None:
    """The status an action's line moves a ticket in `current` to, if it moves it at all."""
    if kind == EventKind.MERGED_INTO and current in ACTIVE_STATUSES:
        return Status.CLOSED  # a merged ticket is closed like any other
    if kind in HANDOVER_KINDS and current == Status.NEW:
        return Status.OPEN  # handing a ticket over puts it to work
    return None


class HistoryLine(Protocol):
    """What reading a history needs of a line: a TicketEvent, or a row of those columns."""

    @property
    def at(self) -> datetime:
        """When it happened."""

    @property
    def kind(self) -> str:
        """What happened (an EventKind value)."""

    @property
    def from_value(self) -> str | None:
        """The value before (a status, a queue code)."""

    @property
    def to_value(self) -> str | None:
        """The value after."""

    @property
    def actor_id(self) -> int | None:
        """The agent who did it (None: the system)."""


def status_changes(events: Sequence[HistoryLine]) -> list[tuple[str, str] | None]:
    """For each line of a history in order, the (from, to) statuses it records, or None."""
    current: str = Status.NEW
    changes: list[tuple[str, str] | None] = []
    for event in events:
        if event.kind in STATUS_LINE_KINDS and event.to_value:
            change: tuple[str, str] | None = (event.from_value or current, event.to_value)
        else:
            implied = implied_status(event.kind, current)
            change = (current, implied.value) if implied else None
        if change is not None:
            current = change[1]
        changes.append(change)
    return changes


def transition(
    session: Session,
    ticket: Ticket,
    target: str,
    *,
    actor: Agent | None,
    reason: str | None = None,
    cause: Cause = Cause.AGENT,
    line: Line | None = None,
) -> TicketEvent:
    """Move a loaded (locked) ticket to `target`: the one place a status changes.

    Refuses an illegal move. Sets resolved_at or closed_at, clears resolved_at on a reopening,
    sets first_response_at on a first-contact resolution. Writes exactly one history line:
    `line` when the action's own line implies the change (cause ACTION), else a
    "status_changed" or "reopened" line. Bumps the version; queues the SLA clock update.
    """
    check_lengths({"reason": (reason, REASON_MAX)})
    current = ticket.status
    if (cause == Cause.ACTION) != (line is not None):
        raise ValueError("an action's line carries the change exactly when the cause is ACTION")
    if line is not None:
        legal = implied_status(line.kind, current) == target
    else:
        legal = can_change(current, target)
        kind = EventKind.REOPENED if is_reopen(current, target) else EventKind.STATUS_CHANGED
        line = Line(kind, from_value=current, to_value=Status(target).value, reason=reason)
    if not legal:
        raise InvalidTransitionError(
            f"Un ticket « {status_label(current)} » ne peut pas passer à "
            f"« {status_label(target)} »."
        )
    now = utcnow()
    event = _event(ticket, actor, line, at=now)
    session.add(event)
    if target == Status.RESOLVED:
        ticket.resolved_at = now
    elif target == Status.CLOSED:
        ticket.closed_at = now
    elif is_reopen(current, target):
        ticket.resolved_at = None
    if cause == Cause.FIRST_CONTACT:
        record_first_response(ticket, at=now)
    ticket.status = Status(target).value
    touch(ticket)
    enqueue_job(session, SLA_SYNC_JOB, ticket_id=ticket.id)
    return event


def close_as_merged(
    session: Session, source: Ticket, *, into: Ticket, actor: Agent, reason: str
) -> TicketEvent:
    """Close a ticket merged into another: its "merged_into" line is the change's line."""
    line = Line(EventKind.MERGED_INTO, to_value=into.reference, reason=reason)
    return transition(session, source, Status.CLOSED, actor=actor, cause=Cause.ACTION, line=line)


def record_handover(
    session: Session, ticket: Ticket, actor: Agent | None, line: Line
) -> TicketEvent:
    """Write a hand-over's line; for a new ticket it is also the change to "open"."""
    target = implied_status(line.kind, ticket.status)
    if target is None:
        return record_event(
            session,
            ticket,
            actor,
            kind=line.kind,
            from_value=line.from_value,
            to_value=line.to_value,
            reason=line.reason,
            data=line.data,
        )
    return transition(session, ticket, target, actor=actor, cause=Cause.ACTION, line=line)


def place_in_queue(session: Session, ticket: Ticket, *, queue_id: int, owner: bool = False) -> None:
    """Move a stored ticket to a queue, unassigned (and its owner level too if `owner`).

    The one place `Ticket.queue_id` changes after creation: it notes the passage first, so
    the agents of every queue the ticket has been in keep reading it (helpdesk.policy).
    """
    record_passage(session, ticket_id=ticket.id, queue_id=queue_id)  # type: ignore[arg-type]
    ticket.queue_id = queue_id
    if owner:
        ticket.owner_queue_id = queue_id
    ticket.assignee_id = None


def record_first_response(ticket: Ticket, *, at: datetime | None = None) -> None:
    """The requester got a first answer (a public reply, an incident's, a call): once."""
    if ticket.first_response_at is None:
        ticket.first_response_at = at or utcnow()


def record_event(
    session: Session,
    ticket: Ticket,
    actor: Agent | None,
    *,
    kind: EventKind,
    from_value: str | None = None,
    to_value: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append a line that changes no status to the ticket's history."""
    kind = EventKind(kind)
    if kind in STATUS_LINE_KINDS or implied_status(kind, ticket.status) is not None:
        raise ValueError(f"a {kind} line changes the status: write it with transition()")
    line = Line(kind, from_value=from_value, to_value=to_value, reason=reason, data=data or {})
    event = _event(ticket, actor, line)
    session.add(event)
    return event


def _event(
    ticket: Ticket, actor: Agent | None, line: Line, *, at: datetime | None = None
) -> TicketEvent:
    """A history line (not yet added to the session)."""
    return TicketEvent(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        at=at or utcnow(),
        actor_id=actor.id if actor else None,
        actor_label=actor.full_name if actor else SYSTEM_LABEL,
        kind=line.kind.value,
        from_value=line.from_value,
        to_value=line.to_value,
        reason=line.reason,
        data=dict(line.data),
    )


def touch(ticket: Ticket) -> None:
    """Mark the ticket changed: a new update time, and a new version once per transaction.

    An action that changes the status and something else (a reply that reopens, an incident's
    resolution, a hand-over) bumps the version once: the version counts committed changes,
    which is what the optimistic check of the ticket page compares.
    """
    ticket.updated_at = utcnow()
    session = object_session(ticket)
    # The innermost transaction: a savepoint rolled back takes its bump with it.
    transaction = session.get_nested_transaction() or session.get_transaction() if session else None
    if session is None or transaction is None or ticket.id is None:
        ticket.version += 1
        return
    seen = session.info.get("lifecycle_touched")
    if seen is None or seen[0] is not transaction:
        seen = (transaction, set[int]())
        session.info["lifecycle_touched"] = seen
    if ticket.id not in seen[1]:
        seen[1].add(ticket.id)
        ticket.version += 1


def status_label(status: str) -> str:
    """The French label of a status."""
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status
