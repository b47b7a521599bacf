"""Who may see and act on which queue and ticket."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.tickets.models import Queue, QueueMembership, Ticket, TicketEvent

ALL_QUEUE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


def member_queue_ids(session: Session, agent: Agent) -> set[int]:
    """The queues the agent is a member of."""
    rows = session.exec(
        select(QueueMembership.queue_id).where(QueueMembership.agent_id == agent.id)
    ).all()
    return set(rows)


def visible_queues(session: Session, agent: Agent) -> list[Queue]:
    """The queues an agent may see: all for supervisors and admins, else their organisation's."""
    query = select(Queue).order_by(col(Queue.level), col(Queue.name))
    if agent.role == Role.REFERENT:
        return []
    if agent.role not in ALL_QUEUE_ROLES:
        members = member_queue_ids(session, agent)
        query = query.where(
            (col(Queue.organisation_id) == agent.organisation_id) | (col(Queue.id).in_(members))
        )
    return list(session.exec(query).all())


def can_act_on(session: Session, agent: Agent, ticket: Ticket) -> bool:
    """Whether the agent may change the ticket: a member of its current queue, or an admin."""
    if not agent.active:
        return False
    if agent.role == Role.ADMIN:
        return True
    if agent.role == Role.REFERENT:
        return False
    return ticket.queue_id in member_queue_ids(session, agent)


def can_read(session: Session, agent: Agent, ticket: Ticket) -> bool:
    """Whether the agent may see the ticket at all (else it is a 404 for them)."""
    if not agent.active:
        return False
    if agent.role in ALL_QUEUE_ROLES:
        return True
    if agent.role == Role.REFERENT:
        return ticket.site_id is not None and ticket.site_id == agent.site_id
    visible = {queue.id for queue in visible_queues(session, agent)}
    if ticket.queue_id in visible:
        return True
    return bool(_passed_through_queue_codes(session, ticket) & _codes(session, visible))


def _passed_through_queue_codes(session: Session, ticket: Ticket) -> set[str]:
    """The queues a ticket has been in, from its hand-over history."""
    rows = session.exec(
        select(TicketEvent.from_value, TicketEvent.to_value).where(
            TicketEvent.ticket_id == ticket.id,
            col(TicketEvent.kind).in_(["created", "escalate", "transfer", "return"]),
        )
    ).all()
    return {value for pair in rows for value in pair if value}


def _codes(session: Session, queue_ids: set[int | None]) -> set[str]:
    """The codes of these queues."""
    if not queue_ids:
        return set()
    return set(session.exec(select(Queue.code).where(col(Queue.id).in_(queue_ids))).all())


def visible_tickets_condition(session: Session, agent: Agent) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the tickets `can_read` lets the agent see."""
    if not agent.active:
        return false()
    if agent.role in ALL_QUEUE_ROLES:
        return true()
    if agent.role == Role.REFERENT:
        if agent.site_id is None:
            return false()
        return col(Ticket.site_id) == agent.site_id
    queue_ids = {queue.id for queue in visible_queues(session, agent)}
    codes = _codes(session, queue_ids)
    passed_through = select(TicketEvent.ticket_id).where(
        col(TicketEvent.kind).in_(["created", "escalate", "transfer", "return"]),
        or_(col(TicketEvent.from_value).in_(codes), col(TicketEvent.to_value).in_(codes)),
    )
    return or_(col(Ticket.queue_id).in_(queue_ids), col(Ticket.id).in_(passed_through))
