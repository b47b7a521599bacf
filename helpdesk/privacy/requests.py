"""The usagers' requests on their data: register, find what is held, answer, erase, rectify.

Callers have checked the PROTECT_DATA right (helpdesk.policy): the holder of that right
reads every ticket of the requester, whatever its queue, to answer the request. Every
action writes an audit row naming the request by its id, never the requester.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Actor, Target, record
from helpdesk.auth.models import Agent
from helpdesk.db import require_id, utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.privacy.anonymise import anonymise_ticket
from helpdesk.privacy.models import DataRequest, RequestKind, RequestStatus
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import record_event, touch
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.search import index_ticket

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}$")
FOREIGN_NUMBER = re.compile(r"^\d{10}$")
PHONE = re.compile(r"^\+?[\d .()-]{6,30}$")
MISSING = "Cette demande n'existe pas ou a été supprimée."


@dataclass(frozen=True)
class NewRequest:
    """What an agent types to register a request."""

    kind: str
    requester_email: str
    requester_foreign_number: str
    received_on: str
    note: str = ""


@dataclass(frozen=True)
class Rectification:
    """The corrected contact data (an empty field is left as it is) and why."""

    requester_name: str
    requester_email: str
    requester_phone: str
    reason: str


def one_month_after(day: date) -> date:
    """The deadline of a request received on `day`: the same day a month later (or the
    month's last day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def open_request(
    session: Session, *, agent: Agent, address: str, form: NewRequest, today: date
) -> DataRequest:
    """Register a request with its deadline (one month), audited; refused input changes
    nothing and says what to correct beside each field."""
    email, number, received = _checked_request(form, today)
    request = DataRequest(
        kind=form.kind,
        requester_email=email,
        requester_foreign_number=number,
        received_on=received,
        due_on=one_month_after(received),
        note=form.note.strip()[:500],
        opened_by_id=agent.id,
    )
    session.add(request)
    session.flush()
    actor = actor_of(agent, address)
    _audit(session, AuditKind.ACCESS_REQUEST_OPENED, actor, request, request_kind=form.kind)
    return request


def _checked_request(form: NewRequest, today: date) -> tuple[str | None, str | None, date]:
    """The normalised identifiers and date, or the errors beside their fields."""
    errors: dict[str, str] = {}
    email = form.requester_email.strip().lower() or None
    number = re.sub(r"\s", "", form.requester_foreign_number) or None
    if form.kind not in {kind.value for kind in RequestKind}:
        errors["kind"] = "Choisissez le type de demande dans la liste."
    if email and not EMAIL.match(email):
        errors["requester_email"] = (
            "Saisissez une adresse e-mail complète, par exemple nom@exemple.fr."
        )
    if number and not FOREIGN_NUMBER.match(number):
        errors["requester_foreign_number"] = "Le numéro étranger compte 10 chiffres."
    if not email and not number and not errors:
        errors["requester_email"] = (
            "Saisissez l'adresse e-mail ou le numéro étranger du demandeur "
            "(au moins l'un des deux)."
        )
    received = _date(form.received_on)
    if received is None or received > today or received.year < 2000:
        errors["received_on"] = (
            "Saisissez la date de réception (jj/mm/aaaa), au plus tard aujourd'hui."
        )
    if errors or received is None:
        raise ValidationFailedError("La demande n'a pas été enregistrée.", field_errors=errors)
    return email, number, received


def _date(text: str) -> date | None:
    """A date typed as yyyy-mm-dd (the date input) or dd/mm/yyyy; None when it is not one."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(
        r"(\d{2})/(\d{2})/(\d{4})", text
    )
    if match is None:
        return None
    parts = [int(part) for part in match.groups()]
    year, month, day = parts if len(match.group(1)) == 4 else parts[::-1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def open_requests(session: Session) -> list[DataRequest]:
    """The requests still to answer, the nearest deadline first."""
    return list(
        session.exec(
            select(DataRequest)
            .where(DataRequest.status == RequestStatus.OPEN)
            .order_by(col(DataRequest.due_on), col(DataRequest.id))
        ).all()
    )


def get_request(session: Session, request_id: int) -> DataRequest:
    """A request by id (404 when there is none)."""
    request = session.get(DataRequest, request_id)
    if request is None:
        raise NotFoundError(MISSING)
    return request


def requester_condition(request: DataRequest) -> ColumnElement[bool]:
    """The tickets of the request's requester: same e-mail (any case) or numéro étranger."""
    conditions: list[ColumnElement[bool]] = []
    if request.requester_email:
        conditions.append(func.lower(col(Ticket.requester_email)) == request.requester_email)
    if request.requester_foreign_number:
        conditions.append(col(Ticket.requester_foreign_number) == request.requester_foreign_number)
    return or_(*conditions) if conditions else false()


def requester_tickets(session: Session, request: DataRequest) -> list[Ticket]:
    """Every ticket of the requester, in every queue, oldest first."""
    return list(
        session.exec(
            select(Ticket).where(requester_condition(request)).order_by(col(Ticket.id))
        ).all()
    )


def mark_answered(session: Session, *, agent: Agent, request_id: int) -> DataRequest:
    """Note that the request was answered (once; a second time changes nothing)."""
    request = get_request(session, request_id)
    if request.status != RequestStatus.ANSWERED:
        request.status = RequestStatus.ANSWERED
        request.answered_at = utcnow()
        request.answered_by_id = agent.id
    return request


def note_export(
    session: Session, *, agent: Agent, address: str, request: DataRequest, tickets: int
) -> None:
    """Record that the requester's data were exported (the request and the audit trail)."""
    request.exported_at = utcnow()
    _audit(
        session,
        AuditKind.ACCESS_REQUEST_EXPORTED,
        actor_of(agent, address),
        request,
        tickets=tickets,
    )


def anonymise_requester(
    session: Session, *, agent: Agent, address: str, request_id: int, reason: str, storage_dir: Path
) -> Counter[str]:
    """Erase the requester from all their tickets now, with a reason (required), audited."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationFailedError(
            "Rien n'a été effacé.",
            field_errors={"reason": "Indiquez le motif de l'effacement (5 caractères au moins)."},
        )
    request = get_request(session, request_id)
    done: Counter[str] = Counter()
    for ticket in requester_tickets(session, request):
        done.update(
            anonymise_ticket(session, ticket=ticket, storage_dir=storage_dir, reason=reason[:500])
        )
    _audit(
        session,
        AuditKind.REQUESTER_ANONYMISED,
        actor_of(agent, address),
        request,
        reason=reason[:500],
        **done,
    )
    return done


def rectify_requester(
    session: Session, *, agent: Agent, address: str, request_id: int, change: Rectification
) -> int:
    """Correct the contact data on every ticket of the requester, audited; returns how many
    tickets changed. The history says which fields changed, not their old values."""
    values, errors = _checked_rectification(change)
    if errors:
        raise ValidationFailedError("Les coordonnées n'ont pas été modifiées.", field_errors=errors)
    request = get_request(session, request_id)
    changed = 0
    for ticket in requester_tickets(session, request):
        fields = [name for name, value in values.items() if getattr(ticket, name) != value]
        if ticket.anonymised_at is not None or not fields:
            continue
        for name in fields:
            setattr(ticket, name, values[name])
        record_event(
            session,
            ticket,
            agent,
            kind=EventKind.REQUESTER_RECTIFIED,
            reason=change.reason.strip()[:500],
            data={"fields": fields},
        )
        touch(ticket)
        index_ticket(session, ticket)
        changed += 1
    if "requester_email" in values:
        request.requester_email = values["requester_email"]
    _audit(
        session,
        AuditKind.REQUESTER_RECTIFIED,
        actor_of(agent, address),
        request,
        fields=sorted(values),
        tickets=changed,
    )
    return changed


def _checked_rectification(change: Rectification) -> tuple[dict[str, str], dict[str, str]]:
    """The fields to set (typed ones only) and the errors beside their fields."""
    values = {
        "requester_name": change.requester_name.strip()[:200],
        "requester_email": change.requester_email.strip().lower(),
        "requester_phone": change.requester_phone.strip(),
    }
    values = {name: value for name, value in values.items() if value}
    errors = {}
    if "requester_email" in values and not EMAIL.match(values["requester_email"]):
        errors["requester_email"] = (
            "Saisissez une adresse e-mail complète, par exemple nom@exemple.fr."
        )
    if "requester_phone" in values and not PHONE.match(values["requester_phone"]):
        errors["requester_phone"] = "Saisissez un numéro de téléphone (chiffres, espaces, +)."
    if not values and not errors:
        errors["requester_name"] = "Saisissez au moins une coordonnée corrigée."
    if len(change.reason.strip()) < 5:
        errors["reason"] = "Indiquez d'où vient la correction (5 caractères au moins)."
    return values, errors


def actor_of(agent: Agent, address: str) -> Actor:
    """The audit trail's view of an agent acting from an address."""
    return Actor(id=agent.id, label=agent.full_name, address=address)


def _audit(
    session: Session, kind: AuditKind, actor: Actor, request: DataRequest, **detail: object
) -> None:
    """The audit row of an action on a request (its id, never the requester's identifiers)."""
    record(
        session,
        kind,
        actor,
        Target(object_kind="data_request", object_id=str(require_id(request)), detail=detail),
    )
