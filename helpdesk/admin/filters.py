"""The filters of the failed jobs page, read from the URL (or a form) without any I/O."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
NOT_REPLAYED = "non-relances"
REPLAYED = "relances"
STATES = {"": "Tous", NOT_REPLAYED: "Non relancés", REPLAYED: "Relancés"}
# The names of the URL's parameters, as the filter form sends them.
FIELDS = ("type", "etat", "du", "au", "page")
MAX_LENGTH = 100
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
FIRST_YEAR, LAST_YEAR = 2000, 2999  # dates outside cannot be a job's failure


@dataclass(frozen=True)
class DeadLetterFilters:
    """Which dead letters the page shows: job kind, replay state, period (Paris days), page."""

    kind: str = ""
    state: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    def query_string(self, **changes: Any) -> str:
        """The filters as a URL query (first page unless `page` is given), some changed."""
        values = replace(self, **{"page": 1, **changes})
        params = {
            "type": values.kind,
            "etat": values.state,
            "du": values.since.isoformat() if values.since else "",
            "au": values.until.isoformat() if values.until else "",
            "page": str(values.page) if values.page > 1 else "",
        }
        return urlencode({name: value for name, value in params.items() if value})

    def failed_from(self) -> datetime | None:
        """The first moment of the period (midnight in Paris of its first day), in UTC."""
        if self.since is None:
            return None
        return datetime.combine(self.since, time(), PARIS).astimezone(UTC)

    def failed_before(self) -> datetime | None:
        """The moment the period ends (midnight in Paris after its last day), in UTC."""
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time(), PARIS).astimezone(UTC)

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set (the page is not showing every dead letter)."""
        return bool(self.kind or self.state or self.since or self.until)


@dataclass(frozen=True)
class ParsedFilters:
    """The filters understood, what the person typed (shown again) and an error per field."""

    filters: DeadLetterFilters
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def parse_filters(params: Mapping[str, str], *, kinds: Collection[str]) -> ParsedFilters:
    """Read the filters; a value that makes no sense is set aside with a French explanation.

    `kinds` are the job kinds that have dead letters: another kind is not filtered on.
    """
    typed = {name: str(params.get(name, "") or "").strip()[:MAX_LENGTH] for name in FIELDS}
    errors: dict[str, str] = {}
    kind = typed["type"]
    if kind and kind not in kinds:
        errors["type"] = "Aucun travail de ce type n'est en échec : ce filtre n'est pas appliqué."
        kind = ""
    state = typed["etat"] if typed["etat"] in STATES else ""
    since = parse_date(typed["du"], "du", errors)
    until = parse_date(typed["au"], "au", errors)
    if since and until and until < since:
        errors["au"] = "La date de fin précède la date de début : la période n'est pas appliquée."
        since = until = None
    filters = DeadLetterFilters(
        kind=kind, state=state, since=since, until=until, page=_page(typed["page"])
    )
    return ParsedFilters(filters=filters, typed=typed, errors=errors)


def parse_date(text: str, name: str, errors: dict[str, str]) -> date | None:
    """A date typed as 2026-03-31 or 31/03/2026; else None, with an error for the field."""
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
        break
    errors[name] = "Date non reconnue : saisissez-la au format jj/mm/aaaa (par exemple 31/03/2026)."
    return None


def _page(text: str) -> int:
    """A page number from 1; anything else (abc, -3, 0) is the first page."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return 1
    return max(int(text), 1)
