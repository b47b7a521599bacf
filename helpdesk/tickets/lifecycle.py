"""The ticket lifecycle: which status changes are allowed (pure)."""

from __future__ import annotations

from helpdesk.tickets.models import Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

ACTIVE_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.WAITING})


def can_change(current: str, target: str) -> bool:
    """Whether a ticket in `current` may move to `target`."""
    try:
        return Status(target) in TRANSITIONS[Status(current)]
    except ValueError:
        return False


def is_reopen(current: str, target: str) -> bool:
    """Whether the change reopens a resolved ticket."""
    return current == Status.RESOLVED and target == Status.OPEN


def next_statuses(current: str) -> list[Status]:
    """The statuses a ticket may move to, in lifecycle order."""
    allowed = TRANSITIONS.get(Status(current), frozenset())
    return [status for status in Status if status in allowed]
