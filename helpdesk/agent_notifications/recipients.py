"""Who is told about a committed history line or message, and why (the policy decides who may)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from helpdesk.agent_notifications.kinds import NotificationKind as K
from helpdesk.agent_notifications.mentions import handles_of, mentioned_agents, mentioned_handles
from helpdesk.auth.models import Agent, Role
from helpdesk.policy import Action, holders_of, may, may_do
from helpdesk.policy.tickets import works_queue
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import (
    Message,
    MessageKind,
    Queue,
    QueueMembership,
    Ticket,
    TicketEvent,
)

ARRIVALS = frozenset({EventKind.CREATED, EventKind.ROUTED, EventKind.ESCALATE, EventKind.TRANSFER})
SLA_KINDS = {EventKind.SLA_WARNING: K.SLA_WARNING, EventKind.SLA_BREACHED: K.SLA_BREACHED}
UPWARD = (EventKind.ESCALATE.value, EventKind.TRANSFER.value)


@dataclass(frozen=True)
class Notice:
    """One notification to write: to whom, why, from what, with a short detail."""

    agent: Agent
    kind: K
    source: str
    detail: str


def for_event(session: Session, event: TicketEvent, ticket: Ticket) -> list[Notice]:
    """The notices a history line gives (never to its actor, only to who may see the ticket)."""
    kind, agents = _event_audience(session, event, ticket)
    if kind is None:
        return []
    detail = _detail(event.actor_label if event.actor_id else "", _queue_name(session, event))
    return _allowed(session, ticket, agents, event.actor_id, kind, f"event:{event.id}", detail)


def for_message(session: Session, message: Message, ticket: Ticket) -> list[Notice]:
    """The notices a message gives: the requester's reply, or mentions in an internal note."""
    source = f"message:{message.id}"
    if message.kind == MessageKind.REQUESTER:
        if _is_first_message(session, message):
            return []  # the ticket's arrival tells the queue already
        agents = _assignee_or_queue(session, ticket)
        return _allowed(session, ticket, agents, message.author_id, K.REQUESTER_REPLIED, source, "")
    if message.kind == MessageKind.INTERNAL_NOTE and "@" in message.body:
        active = session.exec(select(Agent).where(col(Agent.active))).all()
        agents = mentioned_agents(message.body, active)
        detail = _detail(message.author_label, "")
        return _allowed(session, ticket, agents, message.author_id, K.MENTION, source, detail)
    return []


def _event_audience(
    session: Session, event: TicketEvent, ticket: Ticket
) -> tuple[K | None, list[Agent]]:
    """The kind of notice a line gives and the agents concerned before any filter."""
    kind = EventKind(event.kind)
    if kind in ARRIVALS and event.to_value:
        queue = _queue_by_code(session, event.to_value)
        if queue is None or queue.id != ticket.queue_id:
            return None, []  # it moved on in the meantime: the later line tells the next queue
        return K.QUEUE_ARRIVAL, available_members(session, queue.id)
    if kind == EventKind.ASSIGNED:
        assignee = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
        if assignee is None or assignee.full_name != event.to_value:
            return None, []  # assigned to someone else since
        return K.ASSIGNED, [assignee]
    if kind == EventKind.RETURN:
        return K.ANSWER_RECEIVED, _who_asked(session, event, ticket)
    if kind in SLA_KINDS:
        queue = _queue_by_code(session, event.to_value or "")
        return SLA_KINDS[kind], supervisors(session, queue) if queue else []
    return None, []


def available_members(session: Session, queue_id: int) -> list[Agent]:
    """The active members of a queue who are available (the Disponibilité page)."""
    return list(
        session.exec(
            select(Agent)
            .join(QueueMembership, col(QueueMembership.agent_id) == col(Agent.id))
            .where(QueueMembership.queue_id == queue_id, col(QueueMembership.available))
            .where(col(Agent.active))
            .order_by(col(Agent.id))
        ).all()
    )


def supervisors(session: Session, queue: Queue) -> list[Agent]:
    """The supervisors who follow the SLAs of this queue (administrators are not paged)."""
    return [
        agent
        for agent in holders_of(session, Action.FOLLOW_SLAS)
        if agent.role != Role.ADMIN and works_queue(session, agent, queue.id)  # type: ignore[arg-type]
    ]


def _who_asked(session: Session, event: TicketEvent, ticket: Ticket) -> list[Agent]:
    """Who sent the ticket up from the queue the answer comes back to (else its members)."""
    asked = session.exec(
        select(TicketEvent.actor_id)
        .where(TicketEvent.ticket_id == ticket.id, col(TicketEvent.kind).in_(UPWARD))
        .where(TicketEvent.from_value == event.to_value, col(TicketEvent.id) < event.id)
        .where(col(TicketEvent.actor_id).is_not(None))
        .order_by(col(TicketEvent.id).desc())
        .limit(1)
    ).first()
    agents = [a for a in [session.get(Agent, asked) if asked else None] if a is not None]
    if ticket.assignee_id is not None:
        agents.append(session.get(Agent, ticket.assignee_id))  # type: ignore[arg-type]
    return agents or available_members(session, ticket.queue_id)


def _assignee_or_queue(session: Session, ticket: Ticket) -> list[Agent]:
    """The ticket's assignee, or the available members of its queue when unassigned."""
    if ticket.assignee_id is not None:
        assignee = session.get(Agent, ticket.assignee_id)
        return [assignee] if assignee else []
    return available_members(session, ticket.queue_id)


def _allowed(
    session: Session,
    ticket: Ticket,
    agents: Iterable[Agent],
    actor_id: int | None,
    kind: K,
    source: str,
    detail: str,
) -> list[Notice]:
    """Notices for the console's agents who are not the actor and may see the ticket, once each."""
    seen: set[int | None] = {actor_id} if actor_id is not None else set()
    notices = []
    for agent in agents:
        if agent.id in seen or not may(session, agent, Action.VIEW, ticket):
            continue
        if not may_do(session, agent, Action.USE_CONSOLE):
            continue  # référents follow their site's tickets in their own space
        seen.add(agent.id)
        notices.append(Notice(agent=agent, kind=kind, source=source, detail=detail))
    return notices


def _is_first_message(session: Session, message: Message) -> bool:
    """Whether no message of the ticket came before this one."""
    earlier = session.exec(
        select(Message.id)
        .where(Message.ticket_id == message.ticket_id, col(Message.id) < message.id)
        .limit(1)
    ).first()
    return earlier is None


def _queue_by_code(session: Session, code: str) -> Queue | None:
    """The queue with this code."""
    return session.exec(select(Queue).where(Queue.code == code)).first()


def _queue_name(session: Session, event: TicketEvent) -> str:
    """The name of the queue a line names as its destination, if any."""
    queue = _queue_by_code(session, event.to_value) if event.to_value else None
    return queue.name if queue else ""


def _detail(actor_label: str, queue_name: str) -> str:
    """A short line under the notification: the queue and who did it."""
    parts = [
        f"File : {queue_name}" if queue_name else "",
        f"par {actor_label}" if actor_label else "",
    ]
    return " — ".join(part for part in parts if part)[:250]


def unreachable_mentions(session: Session, ticket: Ticket, body: str) -> list[str]:
    """The `@handles` of a note that will notify nobody: no such agent, or one who may not see
    the ticket (for the note's author to be told; the policy is not disclosed beyond that)."""
    handles = mentioned_handles(body)
    if not handles:
        return []
    active = session.exec(select(Agent).where(col(Agent.active))).all()
    reached = {
        handle
        for agent in active
        if may(session, agent, Action.VIEW, ticket)
        for handle in handles_of(agent) & handles
    }
    return sorted(f"@{handle}" for handle in handles - reached)
