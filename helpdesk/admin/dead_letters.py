"""Reading dead letters for the failed jobs page: counts, one filtered page, its tickets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from helpdesk.admin.filters import NOT_REPLAYED, REPLAYED, DeadLetterFilters
from helpdesk.incidents.models import IncidentTicket
from helpdesk.incidents.service import RESOLVE_JOB
from helpdesk.jobs.models import DeadLetter
from helpdesk.notifications.models import OutgoingMail
from helpdesk.notifications.service import ALERT_MAIL_JOB, MAIL_JOBS, SEND_MAIL_JOB
from helpdesk.tickets.models import Ticket

PAGE_SIZE = 50
ERROR_PREVIEW = 120  # characters of the error shown before "Voir l'erreur complète"
JOB_LABELS = {
    SEND_MAIL_JOB: "Envoi d'un courriel",
    ALERT_MAIL_JOB: "Courriel d'alerte aux administrateurs",
    "routing.ticket_changed": "Routage d'un ticket",
    "routing.sla_sync": "Mise à jour des délais d'un ticket",
    "routing.sla_check": "Contrôle périodique des délais",
    RESOLVE_JOB: "Résolution d'un ticket lié à un incident",
    "kb.refresh_index": "Mise à jour de l'index de la base de connaissances",
    "maintenance.purge_expired": "Nettoyage des sessions expirées",
    "jobs.dead_letter_alert": "Alerte des administrateurs sur les travaux en échec",
}


def job_label(actor_name: str) -> str:
    """A job kind in plain French (its technical name when we have no label for it)."""
    return JOB_LABELS.get(actor_name, actor_name)


@dataclass(frozen=True)
class KindCount:
    """How many dead letters a job kind has, and how many of them are not replayed."""

    actor_name: str
    label: str
    total: int
    not_replayed: int


@dataclass(frozen=True)
class TicketRef:
    """The ticket a job was about: enough to link to it."""

    id: int
    reference: str


@dataclass(frozen=True)
class DeadLetterRow:
    """One line of the page: the dead letter, its kind in French, its ticket and recipient."""

    dead: DeadLetter
    label: str
    ticket: TicketRef | None
    recipient: str | None

    @property
    def error_preview(self) -> str:
        """The start of the error, for the table."""
        text = self.dead.error
        return text if len(text) <= ERROR_PREVIEW else text[: ERROR_PREVIEW - 1] + "…"

    @property
    def error_is_long(self) -> bool:
        """Whether the full error needs its own disclosure."""
        return len(self.dead.error) > ERROR_PREVIEW


@dataclass
class DeadLetterPage:
    """One page of dead letters matching the filters, and what the page says about them."""

    filters: DeadLetterFilters
    rows: list[DeadLetterRow] = field(default_factory=list)
    total: int = 0  # matching the filters
    not_replayed: int = 0  # matching the filters and not replayed yet
    pages: int = 1
    newest_id: int | None = None  # the bound of a bulk replay: no later arrival is replayed

    @property
    def page(self) -> int:
        """The page shown (the filters' one, kept within the pages that exist)."""
        return self.filters.page

    def page_numbers(self) -> list[int | None]:
        """The page links to show: first, last, and those around the current one (None: …)."""
        near = {1, self.pages, *range(self.page - 2, self.page + 3)}
        shown = sorted(n for n in near if 1 <= n <= self.pages)
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def kind_counts(session: Session) -> list[KindCount]:
    """Every job kind that has dead letters, with its counts, in the order of the labels."""
    found = session.exec(
        select(
            DeadLetter.actor_name, func.count(), func.count(col(DeadLetter.replayed_at))
        ).group_by(col(DeadLetter.actor_name))
    ).all()
    counts = [
        KindCount(name, job_label(name), int(total), int(total) - int(replayed))
        for name, total, replayed in found
    ]
    return sorted(counts, key=lambda kind: kind.label.casefold())


def count_not_replayed(session: Session) -> int:
    """How many dead letters wait for a replay (the administrators' badge): one COUNT."""
    return int(
        session.exec(
            select(func.count())
            .select_from(DeadLetter)
            .where(col(DeadLetter.replayed_at).is_(None))
        ).one()
    )


def matching(filters: DeadLetterFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters (the page number aside)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.kind:
        conditions.append(col(DeadLetter.actor_name) == filters.kind)
    if filters.state == NOT_REPLAYED:
        conditions.append(col(DeadLetter.replayed_at).is_(None))
    elif filters.state == REPLAYED:
        conditions.append(col(DeadLetter.replayed_at).is_not(None))
    if (start := filters.failed_from()) is not None:
        conditions.append(col(DeadLetter.failed_at) >= start)
    if (end := filters.failed_before()) is not None:
        conditions.append(col(DeadLetter.failed_at) < end)
    return conditions


def dead_letter_page(session: Session, *, filters: DeadLetterFilters) -> DeadLetterPage:
    """The page of dead letters the filters ask for, newest first, with their counts."""
    conditions = matching(filters)
    total, replayed, newest = session.exec(
        select(func.count(), func.count(col(DeadLetter.replayed_at)), func.max(DeadLetter.id))
        .select_from(DeadLetter)
        .where(*conditions)
    ).one()
    pages = max(1, -(-int(total) // PAGE_SIZE))
    shown = replace(filters, page=min(filters.page, pages))
    dead_letters = session.exec(
        select(DeadLetter)
        .where(*conditions)
        .order_by(col(DeadLetter.failed_at).desc(), col(DeadLetter.id).desc())
        .offset((shown.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return DeadLetterPage(
        filters=shown,
        rows=describe(session, dead_letters),
        total=int(total),
        not_replayed=int(total) - int(replayed),
        pages=pages,
        newest_id=newest,
    )


def describe(session: Session, dead_letters: Sequence[DeadLetter]) -> list[DeadLetterRow]:
    """Each dead letter with its ticket and recipient, read in three queries for the page."""
    mails = _by_id(session, OutgoingMail, [_mail_id(dead) for dead in dead_letters])
    links = _by_id(session, IncidentTicket, [_link_id(dead) for dead in dead_letters])
    ticket_of = {dead.id: _ticket_id(dead, mails, links) for dead in dead_letters}
    tickets = _by_id(session, Ticket, list(ticket_of.values()))
    rows = []
    for dead in dead_letters:
        mail = mails.get(_mail_id(dead))
        ticket = tickets.get(ticket_of[dead.id])
        rows.append(
            DeadLetterRow(
                dead=dead,
                label=job_label(dead.actor_name),
                ticket=TicketRef(ticket.id, ticket.reference) if ticket else None,
                recipient=mail.recipient if mail else None,
            )
        )
    return rows


def _mail_id(dead: DeadLetter) -> int | None:
    """The e-mail a sending job was about."""
    return _int(dead.kwargs.get("mail_id")) if dead.actor_name in MAIL_JOBS else None


def _link_id(dead: DeadLetter) -> int | None:
    """The incident's link to a ticket that a resolution job was about."""
    return _int(dead.kwargs.get("link_id")) if dead.actor_name == RESOLVE_JOB else None


def _ticket_id(
    dead: DeadLetter, mails: dict[int | None, Any], links: dict[int | None, Any]
) -> int | None:
    """The ticket of a job: in its arguments, or that of its e-mail or incident link."""
    mail, link = mails.get(_mail_id(dead)), links.get(_link_id(dead))
    ticket_id = _int(dead.kwargs.get("ticket_id"))
    return ticket_id or (mail.ticket_id if mail else None) or (link.ticket_id if link else None)


def _by_id(session: Session, model: Any, ids: Iterable[int | None]) -> dict[int | None, Any]:
    """The rows of a table with these ids, by id (no query when there is none)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}


def _int(value: object) -> int | None:
    """An id stored in a job's arguments (JSON): an int, never a bool nor anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
