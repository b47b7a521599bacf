"""Reading the audit trail for the administrators' journal: one page, and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from helpdesk.audit.filters import JournalFilters
from helpdesk.audit.kinds import AUDIT_LABELS, AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Agent
from helpdesk.review.timeline import neutralise
from helpdesk.tickets.models import Ticket
from helpdesk.web.templating import paris_time

PAGE_SIZE = 50
COUNT_CAP = 10_000  # counts stop here (beyond: "plus de 10 000")
EXPORT_CAP = 50_000  # the newest rows of the selection an export holds
BOM = "\ufeff"
NEWEST_FIRST = (col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
HEADER = (
    "Date (heure de Paris)",
    "Événement",
    "Personne",
    "N° de compte",
    "Adresse",
    "Ticket",
    "Objet",
    "Détail",
)


@dataclass(frozen=True)
class JournalRow:
    """One audit row as the page and the export show it."""

    event: AuditEvent
    label: str
    reference: str | None  # the ticket's reference, when the ticket still exists

    @property
    def detail_text(self) -> str:
        """The detail as « clé : valeur » pairs."""
        return detail_text(self.event.detail)


@dataclass
class JournalPage:
    """A page of the journal, newest first, with the cursor of the next page."""

    filters: JournalFilters
    rows: list[JournalRow] = field(default_factory=list)
    count: int = 0
    capped: bool = False  # more rows than COUNT_CAP
    next_before: int | None = None


def kind_label(kind: str) -> str:
    """The French label of a stored kind (the raw value when unknown)."""
    try:
        return AUDIT_LABELS[AuditKind(kind)]
    except ValueError:
        return kind


def detail_text(detail: dict[str, Any]) -> str:
    """A row's detail in one line, keys in their stored order."""
    return " ; ".join(f"{key} : {_value(value)}" for key, value in detail.items())


def _value(value: Any) -> str:
    """A detail value as text (lists joined, nested dicts in brackets)."""
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, dict):
        return "{" + detail_text(value) + "}"
    return "—" if value is None else str(value)


def people(session: Session) -> list[tuple[int, str]]:
    """Every account (id, name), for the person filter."""
    rows = session.exec(select(Agent.id, Agent.full_name).order_by(col(Agent.full_name)))
    return [(int(agent_id), name) for agent_id, name in rows if agent_id is not None]


def ticket_by_reference(session: Session, reference: str) -> int | None:
    """The id of the ticket with this reference, if it still exists."""
    return session.exec(select(Ticket.id).where(Ticket.reference == reference)).first()


def matching(filters: JournalFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters (the cursor aside). A person is the actor, or the
    account an event is about (a role changed, an account disabled)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.person_id is not None:
        conditions.append(
            or_(
                col(AuditEvent.actor_id) == filters.person_id,
                and_(
                    col(AuditEvent.object_kind) == "agent",
                    col(AuditEvent.object_id) == str(filters.person_id),
                ),
            )
        )
    if filters.ticket_id is not None:
        conditions.append(col(AuditEvent.ticket_id) == filters.ticket_id)
    if filters.kind:
        conditions.append(col(AuditEvent.kind) == filters.kind)
    if (start := filters.starts_at()) is not None:
        conditions.append(col(AuditEvent.at) >= start)
    if (end := filters.ends_before()) is not None:
        conditions.append(col(AuditEvent.at) < end)
    return conditions


def journal_page(session: Session, *, filters: JournalFilters) -> JournalPage:
    """One page of matching rows, newest first (keyset on the id), and their capped count."""
    conditions = matching(filters)
    counted = select(AuditEvent.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    count = int(session.exec(select(func.count()).select_from(counted)).one())
    query = select(AuditEvent).where(*conditions, *_older_than(session, filters.before_id))
    events = list(session.exec(query.order_by(*NEWEST_FIRST).limit(PAGE_SIZE + 1)))
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return JournalPage(
        filters=filters,
        rows=describe(session, events),
        count=min(count, COUNT_CAP),
        capped=count > COUNT_CAP,
        next_before=events[-1].id if more and events else None,
    )


def _older_than(session: Session, before_id: int | None) -> list[ColumnElement[bool]]:
    """The keyset condition: rows after this one in the order (time, then id, newest first)."""
    if before_id is None:
        return []
    at = session.exec(select(AuditEvent.at).where(AuditEvent.id == before_id)).first()
    if at is None:  # the row was purged meanwhile: the id alone still orders
        return [col(AuditEvent.id) < before_id]
    earlier = col(AuditEvent.at) < at
    return [or_(earlier, and_(col(AuditEvent.at) == at, col(AuditEvent.id) < before_id))]


def describe(session: Session, events: Sequence[AuditEvent]) -> list[JournalRow]:
    """Each row with its label and its ticket's reference (one query for the page)."""
    ids = {e.ticket_id for e in events if e.ticket_id is not None}
    found = session.exec(select(Ticket.id, Ticket.reference).where(col(Ticket.id).in_(ids)))
    references = {ticket_id: reference for ticket_id, reference in found} if ids else {}
    return [JournalRow(e, kind_label(e.kind), references.get(e.ticket_id)) for e in events]


def export_rows(session: Session, *, filters: JournalFilters) -> list[JournalRow]:
    """The newest EXPORT_CAP rows of the selection, newest first, read in pages."""
    found: list[JournalRow] = []
    cursor = replace(filters, before_id=None)
    while len(found) < EXPORT_CAP:
        older = _older_than(session, cursor.before_id)
        query = select(AuditEvent).where(*matching(cursor), *older)
        batch = list(session.exec(query.order_by(*NEWEST_FIRST).limit(1000)))
        if not batch:
            break
        found += describe(session, batch[: EXPORT_CAP - len(found)])
        cursor = replace(cursor, before_id=batch[-1].id)
    return found


def csv_bytes(rows: Iterable[JournalRow]) -> bytes:
    """UTF-8 with a BOM, « ; » separated, every cell neutralised against formulas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        event = row.event
        cells = [
            paris_time(event.at),
            row.label,
            event.actor_label,
            event.actor_id or "",
            event.address,
            row.reference or (event.ticket_id or ""),
            f"{event.object_kind} {event.object_id}".strip(),
            row.detail_text,
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return (BOM + out.getvalue()).encode("utf-8")
