"""Assignment modes per queue (manual, round-robin, least-loaded) and agents' availability."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.ticket_routing.models import AssignmentMode, QueueRouting
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import QueueMembership, Ticket

ASSIGNABLE_ROLES = (Role.AGENT, Role.SUPERVISOR)


def available_members(session: Session, queue_id: int) -> list[Agent]:
    """Active agents of the queue who marked themselves available, by id."""
    return list(
        session.exec(
            select(Agent)
            .join(QueueMembership, col(QueueMembership.agent_id) == col(Agent.id))
            .where(
                QueueMembership.queue_id == queue_id,
                col(QueueMembership.available).is_(True),
                col(Agent.active).is_(True),
                col(Agent.role).in_([r.value for r in ASSIGNABLE_ROLES]),
            )
            .order_by(col(Agent.id))
        )
    )


def pick_assignee(session: Session, *, queue_id: int) -> tuple[Agent | None, str]:
    """The member the queue's mode picks for a new ticket, and the mode (None when manual)."""
    settings = session.get(QueueRouting, queue_id)
    mode = settings.assignment_mode if settings else AssignmentMode.MANUAL
    members = available_members(session, queue_id)
    if mode == AssignmentMode.MANUAL or not members or settings is None:
        return None, mode
    if mode == AssignmentMode.ROUND_ROBIN:
        last = settings.last_assigned_agent_id or 0
        chosen = next((m for m in members if (m.id or 0) > last), members[0])
    else:
        load = _load(session, queue_id)
        chosen = min(members, key=lambda m: (load.get(m.id or 0, 0), m.id or 0))
    settings.last_assigned_agent_id = chosen.id
    session.add(settings)
    return chosen, mode


def _load(session: Session, queue_id: int) -> dict[int, int]:
    """How many active tickets of the queue each agent holds."""
    rows = session.exec(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.queue_id == queue_id, col(Ticket.assignee_id).is_not(None))
        .where(is_active())
        .group_by(col(Ticket.assignee_id))
    ).all()
    return {int(agent_id): int(count) for agent_id, count in rows if agent_id is not None}


def set_assignment_mode(session: Session, *, queue_id: int, mode: str) -> None:
    """Change how a queue assigns its new tickets."""
    settings = session.get(QueueRouting, queue_id) or QueueRouting(queue_id=queue_id)
    settings.assignment_mode = AssignmentMode(mode).value
    session.add(settings)


def set_available(session: Session, *, agent: Agent, available: bool) -> int:
    """Mark the agent available or away in every queue they work; returns how many."""
    rows = session.exec(select(QueueMembership).where(QueueMembership.agent_id == agent.id)).all()
    for row in rows:
        row.available = available
        session.add(row)
    return len(rows)


def is_available(session: Session, *, agent: Agent) -> bool:
    """Whether the agent is available in at least one of their queues."""
    rows = session.exec(
        select(QueueMembership.available).where(QueueMembership.agent_id == agent.id)
    ).all()
    return any(rows)
