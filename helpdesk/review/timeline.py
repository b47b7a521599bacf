"""Time a ticket spent at each level, from its hand-over history (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def time_per_level(
    moves: Iterable[tuple[datetime, str]], *, now: datetime, levels: Mapping[str, int]
) -> dict[int, timedelta]:
    """Sum the time between moves per level; the last queue counts until `now`."""
    ordered = sorted(moves, key=lambda move: move[0])
    spent: dict[int, timedelta] = {}
    ends = [moment for moment, _code in ordered[1:]] + [now]
    for (start, code), end in zip(ordered, ends, strict=False):  # no move: nothing to sum
        level = levels.get(code)
        if level is None:
            continue
        spent[level] = spent.get(level, timedelta()) + max(end - start, timedelta())
    return spent


def duration_text(value: timedelta) -> str:
    """A duration in French words at the day or hour scale: « 3 j 4 h », « 5 h », « 12 min »."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h" if hours else f"{days} j"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def neutralise(value: object) -> str:
    """A spreadsheet cell that can never run as a formula (= + - @, tab, CR prefixed by ')."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
