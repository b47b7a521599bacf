"""Business-time arithmetic: opening hours, French public holidays and closed days (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# holidays' subdivisions of France: Moselle, Alsace (Bas-Rhin, Haut-Rhin) and the DROM.
HOLIDAY_AREAS = {
    "57": "Moselle",
    "6AE": "Alsace (Bas-Rhin, Haut-Rhin)",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
DEPARTMENT_AREAS = {"57": "57", "67": "6AE", "68": "6AE"} | {
    d: d for d in HOLIDAY_AREAS if len(d) == 3
}
MAX_SEARCH_DAYS = 3 * 366
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
Interval = tuple[int, int]  # minutes since local midnight, start < end <= 1440


class CalendarError(ValueError):
    """A calendar that cannot be read, or that never opens."""


@dataclass(frozen=True)
class Calendar:
    """When a queue works: weekly opening hours in a time zone, minus holidays and closed days."""

    weekly: tuple[tuple[Interval, ...], ...] = field(
        default_factory=lambda: tuple(((540, 1020),) if d < 5 else () for d in range(7))
    )
    timezone: str = "Europe/Paris"
    holiday_areas: frozenset[str] = frozenset()
    closed_days: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of the opening hours."""
        return ZoneInfo(self.timezone)

    def is_closed_day(self, day: date) -> bool:
        """Whether the whole day is off: a public holiday or an extra closed day."""
        return day in self.closed_days or day in holiday_dates(day.year, self.holiday_areas)

    def day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The open intervals of a local day, as aware UTC datetimes, in order."""
        return _day_intervals(self, day)

    def intervals_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals from `start` onwards (clipped), for at most MAX_SEARCH_DAYS."""
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            for begin, finish in self.day_intervals(day):
                if finish > start:
                    yield max(begin, start), finish
            day += timedelta(days=1)

    def is_open(self, moment: datetime) -> bool:
        """Whether the queue works at this moment."""
        day = moment.astimezone(self.zone).date()
        return any(b <= moment < f for b, f in self.day_intervals(day))


@lru_cache(maxsize=16_384)
def _day_intervals(calendar: Calendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The open intervals of a calendar's local day (cached: an SLA check of many tickets
    walks the same days of the same few calendars again and again)."""
    if calendar.is_closed_day(day):
        return ()
    zone = calendar.zone
    result: list[tuple[datetime, datetime]] = []
    for start, end in calendar.weekly[day.weekday()]:
        begin = _local(day, start, zone)
        finish = _local(day, end, zone)
        if result and begin < result[-1][1]:
            begin = result[-1][1]  # a DST gap can fold local hours onto each other
        if finish > begin:
            result.append((begin, finish))
    return tuple(result)


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """A local wall-clock time of a day (1440 is the next midnight), in UTC."""
    if minutes >= 1440:
        day, minutes = day + timedelta(days=1), minutes - 1440
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


@lru_cache(maxsize=256)
def holiday_dates(year: int, areas: frozenset[str]) -> frozenset[date]:
    """French national public holidays of a year, plus those of the given areas."""
    days = set(holidays.France(years=year).keys())
    for area in areas:
        days.update(holidays.France(years=year, subdiv=area).keys())
    return frozenset(days)


def holiday_names(year: int, areas: frozenset[str]) -> dict[date, str]:
    """The holidays of a year with their French names, for the calendar page."""
    names: dict[date, str] = {}
    for area in (None, *sorted(areas)):
        names.update(holidays.France(years=year, subdiv=area, language="fr").items())
    return dict(sorted(names.items()))


def add_business(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The moment when `duration` of open time has passed after `start`."""
    _check_aware(start)
    if duration <= timedelta(0):
        return start
    remaining = duration
    for begin, finish in calendar.intervals_from(start):
        if finish - begin >= remaining:
            return begin + remaining
        remaining -= finish - begin
    raise CalendarError("Ce calendrier n'ouvre jamais : vérifiez ses horaires et ses fermetures.")


def business_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """How much open time lies between two moments (zero if `end` is not after `start`).

    The days around each end are clipped one by one; whole days in between are summed from
    per-year running totals, so a ticket open for months costs as little as one open today.
    """
    _check_aware(start)
    _check_aware(end)
    if end <= start:
        return timedelta(0)
    first = start.astimezone(calendar.zone).date()
    last = end.astimezone(calendar.zone).date()
    if (last - first).days < 4:
        return _clipped(calendar, first - ONE_DAY, last + ONE_DAY, start, end)
    return (
        _clipped(calendar, first - ONE_DAY, first + ONE_DAY, start, end)
        + _whole_days(calendar, first + 2 * ONE_DAY, last - 2 * ONE_DAY)
        + _clipped(calendar, last - ONE_DAY, last + ONE_DAY, start, end)
    )


def _clipped(
    calendar: Calendar, first: date, last: date, start: datetime, end: datetime
) -> timedelta:
    """Open time of the days first..last (included) that lies between start and end."""
    total = timedelta(0)
    day = first
    while day <= last:
        for begin, finish in calendar.day_intervals(day):
            overlap = min(finish, end) - max(begin, start)
            if overlap > timedelta(0):
                total += overlap
        day += ONE_DAY
    return total


def _whole_days(calendar: Calendar, first: date, last: date) -> timedelta:
    """Open time of the days first..last (included), from the years' running totals."""
    total = timedelta(0)
    for year in range(first.year, last.year + 1):
        running = _running_totals(calendar, year)
        low = (first - date(year, 1, 1)).days if year == first.year else 0
        high = (last - date(year, 1, 1)).days + 1 if year == last.year else len(running) - 1
        total += running[high] - running[low]
    return total


@lru_cache(maxsize=1024)
def _running_totals(calendar: Calendar, year: int) -> tuple[timedelta, ...]:
    """Open time of a year's days before each day of the year (and of the whole year last)."""
    totals = [timedelta(0)]
    day = date(year, 1, 1)
    while day.year == year:
        totals.append(totals[-1] + sum((f - b for b, f in calendar.day_intervals(day)), ZERO))
        day += ONE_DAY
    return tuple(totals)


def _check_aware(moment: datetime) -> None:
    """Refuse naive datetimes: business time needs to know the instant."""
    if moment.tzinfo is None:
        raise CalendarError("naive datetime: business time needs aware datetimes")


def area_for_department(department: str | None) -> str | None:
    """The holidays area of a department code (57, 67, 68, 971…), or None for national only."""
    return DEPARTMENT_AREAS.get((department or "").upper())


def department_of_site(site_code: str | None) -> str | None:
    """The department in a préfecture site code such as pref-67 or pref-971."""
    match = re.fullmatch(r"pref-(\d{2,3}|2[AB])", (site_code or "").lower())
    return match.group(1).upper() if match else None


_RANGE_RE = re.compile(r"^(\d{1,2})[:h](\d{2})?\s*-\s*(\d{1,2})[:h](\d{2})?$")


def parse_weekly(text: str) -> tuple[tuple[Interval, ...], ...]:
    """Opening hours from lines like "lundi 09:00-12:00, 13:30-17:00" (missing days: closed)."""
    week: list[tuple[Interval, ...]] = [() for _ in DAY_NAMES]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lower()
        if not line:
            continue
        name, _, ranges = line.partition(" ")
        if name not in DAY_NAMES:
            raise CalendarError(f"Ligne {number} : commencez par un jour (lundi … dimanche).")
        week[DAY_NAMES.index(name)] = _parse_ranges(ranges, number)
    return tuple(week)


def _parse_ranges(text: str, number: int) -> tuple[Interval, ...]:
    """The intervals of one day line, checked and in order."""
    if text.strip() in ("", "fermé", "ferme"):
        return ()
    intervals: list[Interval] = []
    for part in text.split(","):
        match = _RANGE_RE.match(part.strip())
        if not match:
            raise CalendarError(f"Ligne {number} : écrivez les plages sous la forme 09:00-17:00.")
        h1, m1, h2, m2 = (int(g or 0) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not (0 <= start < end <= 1440) or m1 > 59 or m2 > 59:
            raise CalendarError(f"Ligne {number} : la plage {part.strip()} n'est pas valide.")
        if intervals and start < intervals[-1][1]:
            raise CalendarError(f"Ligne {number} : les plages se chevauchent.")
        intervals.append((start, end))
    return tuple(intervals)


def format_weekly(weekly: tuple[tuple[Interval, ...], ...]) -> str:
    """Opening hours as the text the calendar form shows."""
    lines = []
    for name, intervals in zip(DAY_NAMES, weekly, strict=True):
        ranges = ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in intervals) or "fermé"
        lines.append(f"{name} {ranges}")
    return "\n".join(lines)


def _hhmm(minutes: int) -> str:
    """Minutes since midnight as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
