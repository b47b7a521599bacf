"""SLA targets in business time: due dates, pauses while waiting, states (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from routing.calendars import Calendar, add_business, business_between

Span = tuple[datetime, datetime | None]  # an interval; None: still going on


class SlaState(StrEnum):
    """Where a target stands."""

    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


SLA_STATE_LABELS = {
    SlaState.OK: "Dans les délais",
    SlaState.WARNING: "Échéance proche",
    SlaState.BREACHED: "Délai dépassé",
    SlaState.PAUSED: "En pause",
    SlaState.MET: "Respecté",
}
# The worst state wins when a clock has two targets.
SEVERITY = [SlaState.MET, SlaState.OK, SlaState.PAUSED, SlaState.WARNING, SlaState.BREACHED]


@dataclass(frozen=True)
class TargetStatus:
    """One target of one clock, evaluated at a moment."""

    state: SlaState
    due_at: datetime | None
    elapsed: timedelta
    warn_at: datetime | None = None  # when the warning is due (running targets only)

    def next_change(self, *, warned: bool, breached: bool) -> datetime | None:
        """The next moment the state may change: the warning, then the due date (None when
        met or paused: only a status change moves it again)."""
        if self.state in (SlaState.MET, SlaState.PAUSED) or breached:
            return None
        if not warned and self.warn_at is not None and self.state == SlaState.OK:
            return self.warn_at
        return self.due_at


def waiting_spans(
    changes: Sequence[tuple[datetime, str]], *, waiting: str = "waiting"
) -> list[Span]:
    """The spans a ticket spent in the waiting status, from its status changes in order."""
    spans: list[Span] = []
    since: datetime | None = None
    for at, status in changes:
        if status == waiting and since is None:
            since = at
        elif status != waiting and since is not None:
            spans.append((since, at))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def paused_time(
    calendar: Calendar, start: datetime, until: datetime, spans: Sequence[Span]
) -> timedelta:
    """Business time inside the pauses, between `start` and `until`."""
    total = timedelta(0)
    for begin, end in spans:
        low, high = max(begin, start), min(end or until, until)
        if high > low:
            total += business_between(calendar, low, high)
    return total


def evaluate(
    calendar: Calendar,
    *,
    start: datetime,
    target: timedelta,
    warn_before: timedelta,
    now: datetime,
    spans: Sequence[Span] = (),
    met_at: datetime | None = None,
) -> TargetStatus:
    """The state and due date of a target that started at `start`, paused during `spans`."""
    until = min(met_at, now) if met_at else now
    paused = paused_time(calendar, start, until, spans)
    elapsed = business_between(calendar, start, until) - paused
    if met_at is not None and met_at <= now:
        state = SlaState.BREACHED if elapsed > target else SlaState.MET
        return TargetStatus(state, add_business(calendar, start, target + paused), elapsed)
    if any(begin <= now and (end is None or end > now) for begin, end in spans):
        return TargetStatus(SlaState.PAUSED, None, elapsed)
    due = add_business(calendar, start, target + paused)
    warn_at = add_business(calendar, start, max(target - warn_before, timedelta(0)) + paused)
    if now > due:
        state = SlaState.BREACHED
    elif elapsed >= target - warn_before:
        state = SlaState.WARNING
    else:
        state = SlaState.OK
    return TargetStatus(state, due, elapsed, warn_at)


def worst(*states: SlaState | None) -> SlaState:
    """The most severe of several states (met when none is given)."""
    present = [state for state in states if state is not None]
    return max(present, key=SEVERITY.index) if present else SlaState.MET
