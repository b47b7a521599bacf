"""The ticket core: create, converse, assign, change status, hand over; each change is an event."""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.db import require_id, utcnow
from helpdesk.errors import (
    InvalidTransitionError,
    NotFoundError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.i18n import N_, t
from helpdesk.jobs.registry import enqueue_job
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import Action, authorize
from helpdesk.policy.tickets import works_queue
from helpdesk.text_limits import MESSAGE_MAX, check_lengths
from helpdesk.tickets import drafts
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import (
    Cause,
    record_event,
    record_first_response,
    touch,
    transition,
)
from helpdesk.tickets.models import Channel, Message, MessageKind, Queue, Status, Ticket
from helpdesk.tickets.passages import record_passage
from helpdesk.tickets.references import allocate_reference
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.search import index_ticket

REQUESTER_LABEL = "Usager"
MESSAGE_ACTIONS = {
    MessageKind.PUBLIC_REPLY: Action.REPLY,
    MessageKind.INTERNAL_NOTE: Action.NOTE,
    MessageKind.REQUESTER: Action.ANSWER_REPORT,
}
# The e-mail carrying a public reply, in the requester's language (gettext catalogs).
REPLY_SUBJECT = N_("Réponse à votre demande %(reference)s")
REPLY_BODY = N_(
    "Bonjour,\n\n"
    "Le centre de contact a répondu à votre demande %(reference)s :\n\n"
    "%(body)s\n\n"
    "Cordialement,\n"
    "Le centre de contact citoyen ANEF"
)


def create_ticket(session: Session, *, data: NewTicket, actor: Agent | None = None) -> Ticket:
    """Open a ticket in its first queue, with the requester's first message."""
    queue = queue_by_code(session, code=data.queue_code)
    now = utcnow()
    ticket = Ticket(
        reference=allocate_reference(session, now.year),
        **data.model_dump(exclude={"body", "queue_code"}),
        queue_id=require_id(queue),
        owner_queue_id=require_id(queue),
        created_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    record_passage(session, ticket_id=require_id(ticket), queue_id=ticket.queue_id)
    session.add(
        Message(
            ticket_id=require_id(ticket),
            kind=MessageKind.REQUESTER,
            author_id=actor.id if actor and data.channel == Channel.REFERENT else None,
            author_label=_requester_label(data, actor),
            body=data.body,
            created_at=now,
        )
    )
    record_event(session, ticket, actor, kind=EventKind.CREATED, to_value=queue.code)
    index_ticket(session, ticket, new_bodies=[data.body])
    enqueue_job(session, "routing.ticket_changed", ticket_id=ticket.id, trigger="created")
    # The acknowledgement (with the follow-up link) is the intake service's job.
    return ticket


def add_message(
    session: Session,
    *,
    ticket_id: int,
    kind: MessageKind,
    body: str,
    actor: Agent | None,
    expected_version: int | None = None,
    then_status: str | None = None,
) -> Message:
    """Add a requester message, a public reply or an internal note to the conversation.

    `then_status`: the status the agent chose to set with the message (same transaction);
    without it, the first public reply puts a new ticket to work.
    """
    # A requester writing through their follow-up link or by e-mail has no account: the
    # caller checked the link. A référent answers their site's signalement.
    requester = kind == MessageKind.REQUESTER and actor is None
    action = None if requester else MESSAGE_ACTIONS[MessageKind(kind)]
    ticket = load_for_change(session, ticket_id, expected_version, actor=actor, action=action)
    body = body.replace("\0", "").strip()
    check_lengths({"body": (body, MESSAGE_MAX)})
    if not body:
        raise ValidationFailedError(
            "Le message est vide : écrivez votre texte avant d'envoyer.",
            field_errors={"body": "Le message est vide."},
        )
    if kind == MessageKind.REQUESTER:
        _reopen_on_requester_message(session, ticket)
    message = Message(
        ticket_id=require_id(ticket),
        kind=kind,
        author_id=actor.id if actor else None,
        author_label=actor.full_name if actor else REQUESTER_LABEL,
        body=body,
    )
    session.add(message)
    if kind == MessageKind.PUBLIC_REPLY:
        _after_public_reply(session, ticket, actor, body)
    elif kind == MessageKind.INTERNAL_NOTE:
        record_event(session, ticket, actor, kind=EventKind.NOTE)
    _status_after_message(session, ticket, actor, kind=kind, then_status=then_status)
    if actor is not None:  # the agent's saved draft is now this message
        drafts.discard(session, require_id(actor), require_id(ticket))
    touch(ticket)
    index_ticket(session, ticket)
    return message


def assign(
    session: Session,
    *,
    ticket_id: int,
    assignee_id: int | None,
    actor: Agent,
    expected_version: int | None = None,
) -> Ticket:
    """Give the ticket to a member of its current queue, or leave it unassigned."""
    ticket = load_for_change(
        session, ticket_id, expected_version, actor=actor, action=Action.ASSIGN
    )
    previous = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    assignee = None
    if assignee_id is not None:
        assignee = session.get(Agent, assignee_id)
        if assignee is None or not works_queue(session, assignee, ticket.queue_id):
            raise ValidationFailedError(
                "Cet agent ne fait pas partie de la file du ticket : "
                "choisissez un membre de la file.",
                field_errors={"assignee_id": "Choisissez un membre de la file du ticket."},
            )
    ticket.assignee_id = assignee.id if assignee else None
    record_event(
        session,
        ticket,
        actor,
        kind=EventKind.ASSIGNED,
        from_value=previous.full_name if previous else None,
        to_value=assignee.full_name if assignee else None,
    )
    touch(ticket)
    return ticket


def change_status(
    session: Session,
    *,
    ticket_id: int,
    status: str,
    actor: Agent,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Move the ticket along its lifecycle; an illegal move is refused."""
    ticket = load_for_change(
        session, ticket_id, expected_version, actor=actor, action=Action.CHANGE_STATUS
    )
    transition(session, ticket, status, actor=actor, reason=reason)
    return ticket


def queue_by_code(session: Session, *, code: str) -> Queue:
    """The queue with this code, or a clear error."""
    queue = session.exec(select(Queue).where(Queue.code == code)).first()
    if queue is None:
        raise ValidationFailedError(f"La file « {code} » n'existe pas.")
    return queue


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket, or NotFoundError."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError("Ce ticket n'existe pas.")
    return ticket


def load_for_change(
    session: Session,
    ticket_id: int,
    expected_version: int | None,
    *,
    actor: Agent | None = None,
    action: Action | None = None,
) -> Ticket:
    """Lock the ticket row, check the actor's right (when given), then that nobody changed it
    since the user loaded it."""
    ticket = session.get(Ticket, ticket_id, with_for_update=True, populate_existing=True)
    if ticket is None:
        raise NotFoundError("Ce ticket n'existe pas ou ne vous est pas accessible.")
    if action is not None:
        authorize(session, actor, action, ticket)
    if expected_version is not None and ticket.version != expected_version:
        raise StaleVersionError(
            "Ce ticket a été modifié par quelqu'un d'autre pendant que vous le consultiez. "
            "Rechargez la page pour voir la dernière version, puis recommencez."
        )
    return ticket


def _reopen_on_requester_message(session: Session, ticket: Ticket) -> None:
    """A requester answer puts a waiting or resolved ticket back to work."""
    if ticket.status == Status.CLOSED:
        raise InvalidTransitionError(
            "Cette demande est close : merci de faire une nouvelle demande."
        )
    if ticket.status in (Status.WAITING, Status.RESOLVED):
        transition(
            session,
            ticket,
            Status.OPEN,
            actor=None,
            reason="Réponse du demandeur",
            cause=Cause.REQUESTER_ANSWER,
        )


def _status_after_message(
    session: Session,
    ticket: Ticket,
    actor: Agent | None,
    *,
    kind: MessageKind,
    then_status: str | None,
) -> None:
    """The status chosen with the message, or a new ticket put to work by its first reply."""
    if then_status:
        authorize(session, actor, Action.CHANGE_STATUS, ticket)
        if then_status not in {s.value for s in Status}:
            raise ValidationFailedError("Choisissez un statut de la liste.")
        if then_status != ticket.status:
            transition(session, ticket, then_status, actor=actor)
    elif kind == MessageKind.PUBLIC_REPLY and ticket.status == Status.NEW:
        transition(session, ticket, Status.OPEN, actor=actor, reason="Première réponse")


def _after_public_reply(session: Session, ticket: Ticket, actor: Agent | None, body: str) -> None:
    """Record the first response and e-mail the reply to the requester."""
    record_first_response(ticket)
    ticket.answer_received = False
    record_event(session, ticket, actor, kind=EventKind.PUBLIC_REPLY)
    if ticket.requester_email:
        queue_mail(
            session,
            recipient=ticket.requester_email,
            subject=t(ticket.language, REPLY_SUBJECT, reference=ticket.reference),
            body=t(ticket.language, REPLY_BODY, reference=ticket.reference, body=body),
            ticket_id=ticket.id,
        )


def _requester_label(data: NewTicket, actor: Agent | None) -> str:
    """Who wrote the first message, as the conversation shows it."""
    if data.channel == Channel.REFERENT and actor is not None:
        return actor.full_name
    return data.requester_name or REQUESTER_LABEL
