"""When generated tickets arrive and when their next step happens: business hours, peaks.

Pure functions of a random generator: weekdays only (a few fixed holidays off), more on
Mondays and in the months of renewals (September, October, January), a slow growth over
the two years, and hours shaped by the morning and afternoon peaks of a contact centre.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DAYS = 730  # two years
WEEKDAY_WEIGHTS = (1.5, 1.15, 1.0, 1.0, 0.85, 0.0, 0.0)  # Monday first
MONTH_WEIGHTS = (1.25, 1.0, 1.0, 0.95, 0.9, 1.0, 0.85, 0.65, 1.45, 1.4, 1.05, 0.8)
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)})
OPENING, CLOSING = 8 * 60 + 30, 18 * 60  # minutes after midnight, Paris time
# Minutes after opening by half-hour slot, weighted: peaks at 9-11 h and 14-16 h.
SLOT_WEIGHTS = (6, 9, 10, 10, 8, 7, 4, 3, 6, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1)


def business_days(today: date) -> list[date]:
    """The open days of the two years before today, oldest first."""
    days = (today - timedelta(days=offset) for offset in range(DAYS, -1, -1))
    return [day for day in days if is_open(day)]


def is_open(day: date) -> bool:
    """Whether the contact centre works that day."""
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def day_weights(days: list[date]) -> list[float]:
    """How many tickets each day gets, relative to the others."""
    first = days[0].toordinal()
    span = max(1, days[-1].toordinal() - first)
    return [
        WEEKDAY_WEIGHTS[day.weekday()]
        * MONTH_WEIGHTS[day.month - 1]
        * (0.7 + 0.6 * (day.toordinal() - first) / span)
        for day in days
    ]


def arrivals(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` arrival times over the two years before now, sorted, in business hours."""
    days = business_days(now.astimezone(PARIS).date())
    chosen = rng.choices(days, weights=day_weights(days), k=count)
    slots = rng.choices(range(len(SLOT_WEIGHTS)), weights=SLOT_WEIGHTS, k=count)
    times = [
        _at(day, OPENING + slot * 30 + rng.randrange(30 * 60) / 60)
        for day, slot in zip(chosen, slots, strict=True)
    ]
    return sorted(t if t <= now else now - timedelta(seconds=rng.randrange(1, 3600)) for t in times)


def later(rng: random.Random, start: datetime, *, hours: float) -> datetime:
    """A moment about `hours` business hours after start (exponential), in business hours."""
    minutes = rng.expovariate(1 / max(hours * 60, 1))
    return add_business_minutes(start, minutes)


def add_business_minutes(start: datetime, minutes: float) -> datetime:
    """Start moved forward by business minutes (opening hours of open days)."""
    local = start.astimezone(PARIS)
    day, minute = local.date(), local.hour * 60 + local.minute + local.second / 60
    minute = min(max(minute, OPENING), CLOSING)
    while not is_open(day):
        day, minute = day + timedelta(days=1), OPENING
    left = minutes
    while minute + left > CLOSING:
        left -= CLOSING - minute
        day, minute = day + timedelta(days=1), OPENING
        while not is_open(day):
            day += timedelta(days=1)
    return _at(day, minute + left)


def _at(day: date, minute: float) -> datetime:
    """The UTC moment of a day's minute, Paris time."""
    whole = int(minute)
    seconds = int((minute - whole) * 60)
    local = datetime.combine(day, time(whole // 60, whole % 60, seconds), PARIS)
    return local.astimezone(UTC)
