"""Dossiers on tickets: the panel's content, attaching a dossier, and the e-mail match rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from dossiers.catalog import PROCEDURES_BY_CODE, is_foreign_number, normalise_dossier_number
from dossiers.model import Attestation, Dossier
from dossiers.source import DossierSource, DossierUnavailableError
from helpdesk.auth.models import Agent
from helpdesk.errors import ValidationFailedError
from helpdesk.i18n import N_
from helpdesk.policy import Action
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Status, Ticket, TicketEvent
from helpdesk.tickets.search import index_ticket
from helpdesk.tickets.service import load_for_change, record_event, touch

# Agents read it in French; the follow-up page translates it (it is a gettext msgid).
UNAVAILABLE = N_("statut du dossier indisponible pour le moment")
MSG_NUMBER = (
    "Le numéro de demande comporte 19 chiffres ; pour la naturalisation, "
    "il a la forme NA-2025-004217."
)
MSG_FOREIGN = "Le numéro étranger comporte 10 chiffres, sans espace."
MSG_UNKNOWN = "Aucun dossier ne porte ce numéro : vérifiez-le auprès du demandeur."


@dataclass(frozen=True)
class Panel:
    """What the ticket's dossier panel shows."""

    number: str | None
    dossier: Dossier | None = None
    unavailable: bool = False
    email_matches: bool = False
    alerts: list[tuple[Attestation, str]] = field(default_factory=list)
    candidates: list[Dossier] = field(default_factory=list)
    search_done: bool = False
    search_error: str | None = None
    proposed_reply: str | None = None

    @property
    def procedure_label(self) -> str:
        """The téléprocédure's name."""
        code = self.dossier.procedure if self.dossier else ""
        known = PROCEDURES_BY_CODE.get(code)
        return known.label if known else code


@dataclass(frozen=True)
class PublicStatus:
    """What the usager may read of their dossier on the follow-up page."""

    unavailable: bool
    words: str = ""
    procedure_label: str = ""
    alerts: list[tuple[Attestation, str]] = field(default_factory=list)


def ticket_panel(
    session: Session,
    *,
    source: DossierSource,
    ticket: Ticket,
    today: date,
    foreign_number: str | None = None,
) -> Panel:
    """The panel of a ticket: its dossier as the source tells it, or why it cannot."""
    search = _search(source, foreign_number) if foreign_number is not None else {}
    number = ticket.dossier_number
    if not number:
        return Panel(number=None, **search)
    try:
        dossier = source.get(number)
    except DossierUnavailableError:
        return Panel(number=number, unavailable=True, **search)
    if dossier is None:
        return Panel(number=number, **search)
    return Panel(
        number=number,
        dossier=dossier,
        email_matches=dossier.matches_email(ticket.requester_email),
        alerts=dossier.attestation_alerts(today),
        proposed_reply=pending_proposal(session, ticket=ticket),
        **search,
    )


def _search(source: DossierSource, foreign_number: str) -> dict[str, Any]:
    """The dossiers of a numéro étranger, as panel fields (or the error to show)."""
    raw = foreign_number.strip()
    if not is_foreign_number(raw):
        return {"search_done": True, "search_error": MSG_FOREIGN}
    try:
        return {"search_done": True, "candidates": source.by_foreign_number(raw)}
    except DossierUnavailableError:
        return {"search_done": True, "search_error": UNAVAILABLE.capitalize() + "."}


def pending_proposal(session: Session, *, ticket: Ticket) -> str | None:
    """The reply proposed by the last dossier alert, while the ticket still waits."""
    if ticket.status != Status.WAITING:
        return None
    latest = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .where(col(TicketEvent.kind).in_([EventKind.DOSSIER_ALERT, EventKind.PUBLIC_REPLY]))
        .order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc())
    ).first()
    if latest is None or latest.kind != EventKind.DOSSIER_ALERT:
        return None
    reply = latest.data.get("proposed_reply")
    return reply if isinstance(reply, str) else None


def attach_dossier(
    session: Session,
    *,
    source: DossierSource,
    ticket_id: int,
    number: str,
    actor: Agent,
    expected_version: int | None = None,
) -> Ticket:
    """Link the ticket to a dossier by number (checked when the dossier service answers)."""
    ticket = load_for_change(
        session, ticket_id, expected_version, actor=actor, action=Action.CHANGE_FIELDS
    )
    normal = normalise_dossier_number(number or "")
    if normal is None:
        raise ValidationFailedError(MSG_NUMBER, field_errors={"number": MSG_NUMBER})
    try:
        exists = source.get(normal) is not None
    except DossierUnavailableError:
        exists = True  # keep the agent's input; the panel says the status is unavailable
    if not exists:
        raise ValidationFailedError(MSG_UNKNOWN, field_errors={"number": MSG_UNKNOWN})
    if ticket.dossier_number != normal:
        record_event(
            session,
            ticket,
            actor,
            kind=EventKind.DOSSIER_ATTACHED,
            from_value=ticket.dossier_number,
            to_value=normal,
        )
        ticket.dossier_number = normal
        touch(ticket)
        index_ticket(session, ticket)
    return ticket


def verified_dossier(
    source: DossierSource, *, number: str | None, email: str | None
) -> Dossier | None:
    """The dossier if it exists and its contact e-mail is this one; else None (never a leak)."""
    normal = normalise_dossier_number(number or "")
    if normal is None or not email:
        return None
    try:
        dossier = source.get(normal)
    except DossierUnavailableError:
        return None
    if dossier is None or not dossier.matches_email(email):
        return None
    return dossier


def public_status(source: DossierSource, *, ticket: Ticket, today: date) -> PublicStatus | None:
    """The dossier status the follow-up page shows; None unless the requester's e-mail matches."""
    if not ticket.dossier_number or not ticket.requester_email:
        return None
    try:
        dossier = source.get(ticket.dossier_number)
    except DossierUnavailableError:
        return PublicStatus(unavailable=True)
    if dossier is None or not dossier.matches_email(ticket.requester_email):
        return None
    known = PROCEDURES_BY_CODE.get(dossier.procedure)
    return PublicStatus(
        unavailable=False,
        words=dossier.status_words,
        procedure_label=known.label if known else dossier.procedure,
        alerts=dossier.attestation_alerts(today),
    )
