"""The filters of the audit journal, read from the URL without any I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from helpdesk.admin.filters import PARIS, parse_date
from helpdesk.audit.kinds import AuditKind

FIELDS = ("personne", "ticket", "type", "du", "au", "avant")
MAX_LENGTH = 100
MAX_ID = 2**31 - 1
REFERENCE_PREFIX = "ANEF-"


@dataclass(frozen=True)
class JournalFilters:
    """Which audit rows to show: a person (agent id), a ticket (id or reference), a kind, a
    period of Paris days, and the keyset cursor (rows older than this id)."""

    person_id: int | None = None
    ticket_id: int | None = None
    reference: str = ""  # the typed reference, resolved to `ticket_id` by the caller
    kind: str = ""
    since: date | None = None
    until: date | None = None
    before_id: int | None = None

    def query_string(self, **changes: Any) -> str:
        """The filters as a URL query (first page unless `before_id` is given)."""
        values = replace(self, **{"before_id": None, **changes})
        params = {
            "personne": str(values.person_id or ""),
            "ticket": values.reference or str(values.ticket_id or ""),
            "type": values.kind,
            "du": values.since.isoformat() if values.since else "",
            "au": values.until.isoformat() if values.until else "",
            "avant": str(values.before_id or ""),
        }
        return urlencode({name: value for name, value in params.items() if value})

    def starts_at(self) -> datetime | None:
        """Midnight in Paris of the first day, in UTC."""
        return datetime.combine(self.since, time(), PARIS).astimezone(UTC) if self.since else None

    def ends_before(self) -> datetime | None:
        """Midnight in Paris after the last day, in UTC."""
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time(), PARIS).astimezone(UTC)

    def described(self) -> dict[str, str]:
        """The filters as the export's audit row keeps them (no personal data: ids only)."""
        params = dict(item.split("=", 1) for item in self.query_string().split("&") if item)
        return params

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set."""
        return any(
            (self.person_id, self.ticket_id, self.reference, self.kind, self.since, self.until)
        )


@dataclass(frozen=True)
class ParsedJournalFilters:
    """The filters understood, what was typed (shown again) and an error per field."""

    filters: JournalFilters
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def parse_journal_filters(params: Mapping[str, str]) -> ParsedJournalFilters:
    """Read the filters; a value that makes no sense is set aside with a French explanation."""
    typed = {name: str(params.get(name, "") or "").strip()[:MAX_LENGTH] for name in FIELDS}
    errors: dict[str, str] = {}
    person = _id(typed["personne"])
    if typed["personne"] and person is None:
        errors["personne"] = "Choisissez une personne dans la liste : ce filtre n'est pas appliqué."
    ticket_id, reference = _ticket(typed["ticket"])
    if typed["ticket"] and ticket_id is None and not reference:
        errors["ticket"] = (
            "Saisissez une référence (ANEF-2026-000042) ou un numéro de ticket : "
            "ce filtre n'est pas appliqué."
        )
    kind = typed["type"]
    if kind and kind not in {k.value for k in AuditKind}:
        errors["type"] = "Type d'événement inconnu : ce filtre n'est pas appliqué."
        kind = ""
    since = parse_date(typed["du"], "du", errors)
    until = parse_date(typed["au"], "au", errors)
    if since and until and until < since:
        errors["au"] = "La date de fin précède la date de début : la période n'est pas appliquée."
        since = until = None
    filters = JournalFilters(
        person_id=person,
        ticket_id=ticket_id,
        reference=reference,
        kind=kind,
        since=since,
        until=until,
        before_id=_id(typed["avant"]),
    )
    return ParsedJournalFilters(filters=filters, typed=typed, errors=errors)


def _id(text: str) -> int | None:
    """A positive id typed in a URL, or None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _ticket(text: str) -> tuple[int | None, str]:
    """A ticket id, or a reference to resolve (upper-cased), from what was typed."""
    if text.upper().startswith(REFERENCE_PREFIX) and text.isascii() and len(text) <= 20:
        return None, text.upper()
    return _id(text), ""
