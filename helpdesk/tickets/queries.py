"""Read-side queries of tickets for the console."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import (
    Attachment,
    HandoverRoute,
    Message,
    MessageKind,
    Queue,
    QueueMembership,
    Ticket,
    TicketEvent,
)


def open_counts(session: Session, queues: list[Queue]) -> dict[int, int]:
    """How many active tickets each queue holds."""
    ids = [queue.id for queue in queues if queue.id is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(Ticket.queue_id, func.count())
        .where(col(Ticket.queue_id).in_(ids))
        .where(is_active())
        .group_by(col(Ticket.queue_id))
    ).all()
    counts = dict.fromkeys(ids, 0)
    counts.update({queue_id: int(count) for queue_id, count in rows})
    return counts


def queue_tickets(session: Session, queue: Queue, *, limit: int = 100) -> list[Ticket]:
    """The active tickets of a queue, oldest first."""
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.queue_id == queue.id)
            .where(is_active())
            .order_by(col(Ticket.created_at), col(Ticket.id))
            .limit(limit)
        ).all()
    )


def conversation(session: Session, ticket: Ticket) -> list[Message]:
    """The messages of a ticket in order."""
    return list(
        session.exec(
            select(Message).where(Message.ticket_id == ticket.id).order_by(col(Message.id))
        ).all()
    )


def history(session: Session, ticket: Ticket) -> list[TicketEvent]:
    """The events of a ticket in order."""
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.id))
        ).all()
    )


def handover_targets(session: Session, ticket: Ticket) -> list[tuple[Queue, str]]:
    """The queues the chain allows this ticket to move to, with the kind of move."""
    rows = session.exec(
        select(Queue, HandoverRoute.kind)
        .join(HandoverRoute, col(HandoverRoute.to_queue_id) == col(Queue.id))
        .where(HandoverRoute.from_queue_id == ticket.queue_id)
        .order_by(col(Queue.level), col(Queue.name))
    ).all()
    return [(queue, kind) for queue, kind in rows]


def queue_members(session: Session, queue_id: int) -> list[Agent]:
    """The active agents who work a queue."""
    return list(
        session.exec(
            select(Agent)
            .join(QueueMembership, col(QueueMembership.agent_id) == col(Agent.id))
            .where(QueueMembership.queue_id == queue_id, col(Agent.active).is_(True))
            .order_by(col(Agent.full_name))
        ).all()
    )


def attachments(session: Session, ticket: Ticket) -> list[Attachment]:
    """The attachments of a ticket in order."""
    return list(
        session.exec(
            select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(col(Attachment.id))
        ).all()
    )


PUBLIC_KINDS = (MessageKind.REQUESTER.value, MessageKind.PUBLIC_REPLY.value)


def public_messages(
    session: Session, ticket: Ticket
) -> list[tuple[Message, tuple[Attachment, ...]]]:
    """The requester's messages and public replies, oldest first, each with its files.

    What the requester's side ever sees (follow-up page, référent thread): never a note.
    """
    messages = session.exec(
        select(Message)
        .where(Message.ticket_id == ticket.id, col(Message.kind).in_(PUBLIC_KINDS))
        .order_by(col(Message.created_at), col(Message.id))
    ).all()
    ids = [m.id for m in messages]
    files = session.exec(
        select(Attachment).where(col(Attachment.message_id).in_(ids)).order_by(col(Attachment.id))
    ).all()
    return [(m, tuple(f for f in files if f.message_id == m.id)) for m in messages]
