"""Merging two tickets of the same requester, and linking related tickets."""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.errors import InvalidTransitionError, ValidationFailedError
from helpdesk.policy import Action, authorize, may_view
from helpdesk.text_limits import REASON_MAX, check_lengths
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import ACTIVE_STATUSES, close_as_merged
from helpdesk.tickets.models import Attachment, Message, Status, Ticket, TicketLink
from helpdesk.tickets.search import index_ticket
from helpdesk.tickets.service import load_for_change, record_event, touch


class UnknownReferenceError(ValidationFailedError):
    """The reference typed names no ticket the agent may see (refused beside the field)."""


def _refused(message: str) -> ValidationFailedError:
    """A refusal shown beside the reference field."""
    return ValidationFailedError(message, field_errors={"reference": message})


def ticket_by_reference(session: Session, *, agent: Agent, reference: str) -> Ticket:
    """A ticket the agent may see, by its reference; otherwise a 404."""
    ticket = session.exec(
        select(Ticket).where(Ticket.reference == reference.strip().upper())
    ).first()
    if ticket is None or not may_view(session, agent, ticket):
        message = f"Aucun ticket accessible ne porte la référence « {reference.strip()[:40]} »."
        raise UnknownReferenceError(
            message + " Vérifiez la référence (ANEF-aaaa-nnnnnn).",
            field_errors={"reference": message},
        )
    return ticket


def same_requester(first: Ticket, second: Ticket) -> bool:
    """Whether two tickets come from the same person (e-mail or numéro étranger)."""
    emails = {(t.requester_email or "").lower() for t in (first, second)}
    numbers = {t.requester_foreign_number or "" for t in (first, second)}
    return (len(emails) == 1 and "" not in emails) or (len(numbers) == 1 and "" not in numbers)


def merge(
    session: Session, *, source_id: int, target_reference: str, actor: Agent, reason: str = ""
) -> Ticket:
    """Merge a ticket into another of the same requester; messages and files move over."""
    check_lengths({"reason": (reason, REASON_MAX)})
    source = load_for_change(session, source_id, None, actor=actor, action=Action.MERGE)
    target = ticket_by_reference(session, agent=actor, reference=target_reference)
    target = load_for_change(session, target.id, None)  # type: ignore[arg-type]
    _check_mergeable(session, actor, source, target)
    for model in (Message, Attachment):
        session.execute(
            update(model).where(col(model.ticket_id) == source.id).values(ticket_id=target.id)
        )
    source.merged_into_id = target.id
    # The source closes like any ticket (closed_at, its clock stops), with its "merged_into" line.
    close_as_merged(session, source, into=target, actor=actor, reason=reason)
    record_event(
        session,
        target,
        actor,
        kind=EventKind.MERGED_FROM,
        from_value=source.reference,
        reason=reason,
    )
    touch(target)
    index_ticket(session, target)
    index_ticket(session, source)
    return target


def _check_mergeable(session: Session, actor: Agent, source: Ticket, target: Ticket) -> None:
    """Refuse merging a ticket into itself, across requesters, or from a closed ticket."""
    if source.id == target.id:
        raise _refused("Un ticket ne peut pas être fusionné avec lui-même.")
    if not same_requester(source, target):
        raise _refused(
            "Ces deux tickets ne viennent pas du même demandeur : "
            "ils ne peuvent pas être fusionnés."
        )
    if source.status not in ACTIVE_STATUSES or target.status == Status.CLOSED:
        raise InvalidTransitionError(
            "Seul un ticket en cours peut être fusionné dans un ticket ouvert."
        )
    authorize(session, actor, Action.MERGE, source)
    authorize(session, actor, Action.MERGE, target)


def link(session: Session, *, ticket_id: int, other_reference: str, actor: Agent) -> TicketLink:
    """Record that two tickets are related (shown on both)."""
    ticket = load_for_change(session, ticket_id, None, actor=actor, action=Action.LINK)
    other = ticket_by_reference(session, agent=actor, reference=other_reference)
    if other.id == ticket.id:
        raise _refused("Un ticket ne peut pas être lié à lui-même.")
    existing = session.exec(select(TicketLink).where(_pair(ticket.id, other.id))).first()  # type: ignore[arg-type]
    if existing is not None:
        return existing
    row = TicketLink(ticket_id=ticket.id, other_ticket_id=other.id, created_by_id=actor.id)  # type: ignore[arg-type]
    session.add(row)
    record_event(session, ticket, actor, kind=EventKind.LINKED, to_value=other.reference)
    touch(ticket)
    return row


def related(session: Session, *, agent: Agent, ticket: Ticket) -> list[Ticket]:
    """The tickets linked to this one that the agent may see."""
    rows = session.exec(
        select(TicketLink).where(
            or_(
                col(TicketLink.ticket_id) == ticket.id, col(TicketLink.other_ticket_id) == ticket.id
            )
        )
    ).all()
    ids = {r.other_ticket_id if r.ticket_id == ticket.id else r.ticket_id for r in rows}
    others = [session.get(Ticket, i) for i in sorted(ids)]
    return [t for t in others if t is not None and may_view(session, agent, t)]


def _pair(first: int, second: int) -> object:
    """A condition matching the link between two tickets in either direction."""
    return or_(
        (col(TicketLink.ticket_id) == first) & (col(TicketLink.other_ticket_id) == second),
        (col(TicketLink.ticket_id) == second) & (col(TicketLink.other_ticket_id) == first),
    )
