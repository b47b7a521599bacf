"""Who may see and act on which ticket: the one place that reads the role × action table."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, true
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Organisation
from helpdesk.errors import NotFoundError, PermissionDeniedError, RefusedObject
from helpdesk.policy.refusals import noted
from helpdesk.policy.table import (
    ACTION_LABELS,
    Action,
    Scope,
    Viewing,
    Working,
    scope_of,
    viewing_of,
    working_of,
)
from helpdesk.tickets.models import Queue, QueueMembership, Ticket, TicketQueuePassage
from helpdesk.tickets.passages import passed_queue_ids

FRONT_LEVEL = 2  # CHAIN_FRONT roles read the tickets sitting at levels 1 and 2
NOT_FOUND = "Ce ticket n'existe pas ou ne vous est pas accessible."


def member_queue_ids(session: Session, agent: Agent) -> set[int]:
    """The queues the agent is a member of."""
    rows = session.exec(
        select(QueueMembership.queue_id).where(QueueMembership.agent_id == agent.id)
    ).all()
    return set(rows)


def home_queue_ids(session: Session, agent: Agent) -> set[int]:
    """The agent's queues and its organisation's: the tickets they pass keep being readable."""
    condition = (col(Queue.organisation_id) == agent.organisation_id) | (
        col(Queue.id).in_(member_queue_ids(session, agent))
    )
    return {queue_id for queue_id in session.exec(select(Queue.id).where(condition)) if queue_id}


def viewable_queue_ids(session: Session, agent: Agent | None) -> set[int] | None:
    """The queues whose current tickets the person sees (None: every queue)."""
    viewing = _viewing(agent)
    if viewing == Viewing.EVERYTHING:
        return None
    if agent is None or viewing in (Viewing.NOTHING, Viewing.SITE):
        return set()
    return _with_front(session, viewing, home_queue_ids(session, agent))


def _with_front(session: Session, viewing: Viewing, home: set[int]) -> set[int]:
    """The home queues, plus those of levels 1 and 2 for CHAIN_FRONT roles."""
    if viewing != Viewing.CHAIN_FRONT:
        return home
    front = select(Queue.id).where(col(Queue.level) <= FRONT_LEVEL)
    return home | {queue_id for queue_id in session.exec(front) if queue_id}


def visible_queues(session: Session, agent: Agent | None) -> list[Queue]:
    """The queues shown to the person (home page, filters, counts)."""
    ids = viewable_queue_ids(session, agent)
    query = select(Queue).order_by(col(Queue.level), col(Queue.name))
    if ids is not None:
        query = query.where(col(Queue.id).in_(ids))
    return list(session.exec(query).all())


def visible_tickets(
    session: Session, agent: Agent | None, *, in_queue: int | None = None
) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the tickets the person may view.

    `in_queue`: the caller lists that queue only. When the person sees every ticket there,
    the condition is the queue itself, which the planner serves from the queue's index
    (the general one asks the passages too, and at a million tickets was costed so high
    that PostgreSQL planned workers and compiled it).
    """
    viewing = _viewing(agent)
    if agent is None or viewing == Viewing.NOTHING:
        return false()
    if viewing == Viewing.EVERYTHING:
        return true()
    if viewing == Viewing.SITE:
        return col(Ticket.site_id) == agent.site_id if agent.site_id is not None else false()
    home = home_queue_ids(session, agent)
    queue_ids = _with_front(session, viewing, home)
    if in_queue is not None and in_queue in queue_ids:
        return col(Ticket.queue_id) == in_queue
    # An index lookup on the passages (queue_id, ticket_id), not a scan of the history. A
    # correlated EXISTS, not IN: under the OR, PostgreSQL can only run IN as a subplan, which
    # it scans again for each row when the passages of a busy queue do not fit in work_mem;
    # EXISTS probes the primary key for each row (or hashes it, whichever the planner finds
    # cheaper).
    passed_through = exists().where(
        col(TicketQueuePassage.queue_id).in_(home),
        col(TicketQueuePassage.ticket_id) == col(Ticket.id),
    )
    return or_(col(Ticket.queue_id).in_(queue_ids), passed_through)


def may_view(session: Session, agent: Agent | None, ticket: Ticket) -> bool:
    """Whether the person may see the ticket at all (else it is a 404 for them)."""
    viewing = _viewing(agent)
    if agent is None or viewing == Viewing.NOTHING:
        return False
    if viewing == Viewing.EVERYTHING:
        return True
    if viewing == Viewing.SITE:
        return agent.site_id is not None and ticket.site_id == agent.site_id
    home = home_queue_ids(session, agent)
    if ticket.queue_id in home:
        return True
    if viewing == Viewing.CHAIN_FRONT:
        queue = session.get(Queue, ticket.queue_id)
        if queue is not None and queue.level <= FRONT_LEVEL:
            return True
    return bool(passed_queue_ids(session, ticket_id=ticket.id) & home)  # type: ignore[arg-type]


def may(session: Session, agent: Agent | None, action: Action, ticket: Ticket) -> bool:
    """Whether the person may do this action to this ticket."""
    if not may_view(session, agent, ticket) or agent is None:
        return False
    scope = scope_of(agent.role, action)
    if scope in (Scope.ALL, Scope.VISIBLE, Scope.SITE):
        return True
    if scope == Scope.QUEUE:
        return works_queue(session, agent, ticket.queue_id)
    if scope == Scope.OWNER_QUEUE:
        return ticket.queue_id == ticket.owner_queue_id and works_queue(
            session, agent, ticket.queue_id
        )
    return False


def works_queue(session: Session, agent: Agent, queue_id: int) -> bool:
    """Whether the agent works this queue (where its QUEUE rights apply)."""
    working = working_of(agent.role) if agent.active else Working.NOWHERE
    if working == Working.EVERYWHERE:
        return True
    if working == Working.NOWHERE:
        return False
    if queue_id in member_queue_ids(session, agent):
        return True
    if working == Working.ORGANISATION:
        queue = session.get(Queue, queue_id)
        return queue is not None and queue.organisation_id == agent.organisation_id
    return False


def worked_queue_ids(session: Session, agent: Agent) -> set[int]:
    """The queues where the agent's QUEUE rights apply (their "files" for the work views)."""
    working = working_of(agent.role) if agent.active else Working.NOWHERE
    if working == Working.NOWHERE:
        return set()
    if working == Working.EVERYWHERE:
        return {queue_id for queue_id in session.exec(select(Queue.id)) if queue_id}
    members = member_queue_ids(session, agent)
    if working == Working.ORGANISATION:
        return members | home_queue_ids(session, agent)
    return members


def authorize(session: Session, agent: Agent | None, action: Action, ticket: Ticket) -> Ticket:
    """The ticket if the person may do the action; 404 if unseen, else 403 with the reason."""
    if not may_view(session, agent, ticket):
        raise NotFoundError(NOT_FOUND, refused=refused_ticket(session, ticket, action, 404))
    if not may(session, agent, action, ticket):
        raise PermissionDeniedError(
            refusal(session, action, ticket),
            refused=refused_ticket(session, ticket, action, 403),
        )
    return ticket


def refused_ticket(session: Session, ticket: Ticket, action: Action, status: int) -> RefusedObject:
    """An existing ticket refused to someone (404 unseen, 403 seen), noted for the audit trail."""
    refused = RefusedObject("ticket", str(ticket.id), status, ticket_id=ticket.id, action=action)
    return noted(session, refused)


def ticket_for(session: Session, agent: Agent | None, ticket_id: int, action: Action) -> Ticket:
    """Load a ticket for an action: missing and unseen are the same 404."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(NOT_FOUND)
    return authorize(session, agent, action, ticket)


def refusal(session: Session, action: Action, ticket: Ticket) -> str:
    """Why a visible ticket refuses this action, in French, with what to do."""
    if action == Action.REPLY and ticket.queue_id != ticket.owner_queue_id:
        return (
            "Seul le niveau en contact avec le demandeur lui répond. Rédigez votre réponse "
            "en note interne puis renvoyez le ticket au niveau précédent."
        )
    queue = session.get(Queue, ticket.queue_id)
    where = f"la file « {queue.name} »" if queue else "sa file"
    return (
        f"Vous pouvez consulter ce ticket mais pas {ACTION_LABELS[action]} : il est dans "
        f"{where}, dont vous n'êtes pas membre. Demandez à un agent de cette file."
    )


def organisation_kind(session: Session, agent: Agent) -> str:
    """The kind of the agent's organisation (ccc, dp_anef, prefecture...)."""
    organisation = session.get(Organisation, agent.organisation_id)
    return organisation.kind if organisation else ""


def _viewing(agent: Agent | None) -> Viewing:
    """Which tickets this person may open; inactive accounts see nothing."""
    if agent is None or not agent.active:
        return Viewing.NOTHING
    return viewing_of(agent.role)
