"""What the work views and saved views do: their counts, and « Prendre le suivant »."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.tickets import service
from helpdesk.tickets.builtin_views import VIEWS
from helpdesk.tickets.counts import cached_agent_counts
from helpdesk.tickets.listing import QueueFilters, capped_count, list_conditions
from helpdesk.tickets.models import Status, Ticket
from helpdesk.tickets.saved_view_models import SavedView
from helpdesk.tickets.saved_views import base_target, check_filters, visible_views
from helpdesk.tickets.view_navigation import first_of

WAITING_FOR_AGENTS = frozenset({Status.NEW.value, Status.OPEN.value, Status.WAITING.value})
TAKE_ATTEMPTS = 5  # others may take the same tickets at the same moment


def saved_filters(session: Session, agent: Agent, view: SavedView) -> QueueFilters | None:
    """The filters a saved view stands for, checked again (None: its list is gone)."""
    target = base_target(session, agent, view.base)
    if target is None:
        return None
    queue, slug = target
    values = check_filters(view.filters).values
    if "status" not in values and queue is None and not slug:
        values["status"] = ""  # a search covers every status
    return QueueFilters(queue_id=queue.id if queue else None, view=slug, **values)


def view_counts(session: Session, agent: Agent) -> dict[str, int]:
    """How many tickets each work view and saved view holds for this agent (cached)."""
    assert agent.id is not None

    def compute() -> dict[str, int]:
        counts = {}
        for slug in VIEWS:
            filters = QueueFilters(view=slug)
            counts[slug] = capped_count(
                session, list_conditions(session, agent=agent, filters=filters)
            )
        for view in visible_views(session, agent):
            saved = saved_filters(session, agent, view)
            if saved is not None:
                conditions = list_conditions(session, agent=agent, filters=saved)
                counts[f"saved:{view.id}"] = capped_count(session, conditions)
        return counts

    return cached_agent_counts(session, agent.id, compute)


def take_next(session: Session, *, agent: Agent, filters: QueueFilters) -> Ticket | None:
    """Assign to the agent the first unassigned ticket in progress of the list (most urgent,
    then oldest), through the service; None when there is none left."""
    status = filters.status if filters.status in WAITING_FOR_AGENTS else "actifs"
    unassigned = replace(filters, assigned="personne", sort="priorite", after="", status=status)
    for _ in range(TAKE_ATTEMPTS):
        candidate = first_of(session, agent=agent, filters=unassigned)
        if candidate is None or candidate.id is None:
            return None
        locked = session.get(Ticket, candidate.id, with_for_update=True, populate_existing=True)
        if locked is None or locked.assignee_id is not None:
            continue  # taken by someone else meanwhile: the next one
        return service.assign(session, ticket_id=candidate.id, assignee_id=agent.id, actor=agent)
    return None
