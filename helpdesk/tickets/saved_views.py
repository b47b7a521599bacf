"""Saved views: an agent keeps a list's filters and sort under a name; a supervisor may share
one with a queue, whose members then see it too.

The filters are stored as plain values and checked again each time a view is opened: a value
the application no longer knows (a téléprocédure withdrawn, a queue closed) is dropped and
the agent told which, never an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from dossiers.catalog import CATALOG
from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.policy import Action, ensure, may_do, visible_queues, worked_queue_ids
from helpdesk.policy.tickets import member_queue_ids
from helpdesk.text_limits import TITLE_MAX, check_lengths
from helpdesk.ticket_routing.queries import SLA_FILTERS
from helpdesk.tickets.builtin_views import VIEWS
from helpdesk.tickets.listing import AGES, SORTS
from helpdesk.tickets.models import Channel, Priority, Queue, Status
from helpdesk.tickets.saved_view_models import SavedView

NOT_FOUND = "Cette vue n'existe pas ou ne vous est pas accessible."
FILTER_LABELS = {
    "q": "Recherche",
    "status": "Statut",
    "procedure": "Téléprocédure",
    "channel": "Canal",
    "priority": "Priorité",
    "assigned": "Attribution",
    "age_days": "Ancienneté",
    "sla": "Délai (SLA)",
    "sort": "Tri",
}
CHOICES: dict[str, frozenset[str]] = {
    "status": frozenset({"", "actifs", *(s.value for s in Status)}),
    "procedure": frozenset({"", *(p.code for p in CATALOG)}),
    "channel": frozenset({"", *(c.value for c in Channel)}),
    "priority": frozenset({"", *(p.value for p in Priority)}),
    "assigned": frozenset({"", "moi", "personne"}),
    "age_days": frozenset(AGES),
    "sla": frozenset(SLA_FILTERS),
    "sort": frozenset(SORTS),
}


@dataclass
class CheckedFilters:
    """A view's filters that still make sense, and the labels of those dropped."""

    values: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def check_filters(raw: Mapping[str, Any]) -> CheckedFilters:
    """Keep the known filters with known values; name the others."""
    checked = CheckedFilters()
    for name, value in raw.items():
        if name == "q" and isinstance(value, str) and len(value) <= 200:
            checked.values["q"] = value
        elif name in CHOICES and isinstance(value, str) and value in CHOICES[name]:
            checked.values[name] = value
        else:
            checked.dropped.append(FILTER_LABELS.get(str(name), str(name)[:40]))
    return checked


def base_target(session: Session, agent: Agent, base: str) -> tuple[Queue | None, str] | None:
    """The list a view's base names, as (queue, work view slug); None when it is gone."""
    if base == "search":
        return None, ""
    kind, _, key = base.partition(":")
    if kind == "view" and key in VIEWS:
        return None, key
    if kind == "queue":
        queue = next((q for q in visible_queues(session, agent) if q.code == key), None)
        return (queue, "") if queue is not None else None
    return None


def shareable_queues(session: Session, agent: Agent) -> list[Queue]:
    """The queues this agent may share a view with (supervisors: the queues they work)."""
    if not may_do(session, agent, Action.SHARE_VIEWS):
        return []
    ids = worked_queue_ids(session, agent)
    return [q for q in visible_queues(session, agent) if q.id in ids]


def visible_views(session: Session, agent: Agent) -> list[SavedView]:
    """The agent's own views and those shared with a queue they are a member of."""
    shared_with = sorted(member_queue_ids(session, agent) | worked_queue_ids(session, agent))
    condition = or_(
        col(SavedView.agent_id) == agent.id, col(SavedView.shared_queue_id).in_(shared_with)
    )
    query = select(SavedView).where(condition).order_by(col(SavedView.name), col(SavedView.id))
    return list(session.exec(query).all())


def save_view(
    session: Session,
    *,
    agent: Agent,
    name: str,
    base: str,
    filters: Mapping[str, Any],
    share_with: str = "",
) -> SavedView:
    """Record the list's filters under a name (shared with a queue when asked and allowed)."""
    name = _checked_name(name)
    if base_target(session, agent, base) is None:
        raise ValidationFailedError("Cette liste n'existe plus : la vue n'a pas été enregistrée.")
    checked = check_filters({k: v for k, v in filters.items() if v not in (None,)})
    view = SavedView(agent_id=agent.id, name=name, base=base, filters=checked.values)  # type: ignore[arg-type]
    if share_with:
        view.shared_queue_id = _share_queue(session, agent, share_with)
    session.add(view)
    session.flush()
    return view


def rename_view(session: Session, *, agent: Agent, view_id: int, name: str) -> SavedView:
    """Give one of the agent's views another name."""
    view = own_view(session, agent, view_id)
    view.name = _checked_name(name)
    view.updated_at = utcnow()
    session.add(view)
    return view


def delete_view(session: Session, *, agent: Agent, view_id: int) -> str:
    """Delete one of the agent's views; its name, for the confirmation."""
    view = own_view(session, agent, view_id)
    session.delete(view)
    return view.name


def own_view(session: Session, agent: Agent, view_id: int) -> SavedView:
    """A view the agent created (others' views look missing)."""
    view = session.get(SavedView, view_id)
    if view is None or view.agent_id != agent.id:
        raise NotFoundError(NOT_FOUND)
    return view


def readable_view(session: Session, agent: Agent, view_id: int) -> SavedView:
    """A view the agent may open: theirs, or shared with one of their queues."""
    view = next((v for v in visible_views(session, agent) if v.id == view_id), None)
    if view is None:
        raise NotFoundError(NOT_FOUND)
    return view


def _checked_name(name: str) -> str:
    """The name, trimmed; refused empty or too long, beside its field."""
    name = name.strip()
    if not name:
        raise ValidationFailedError(
            "Donnez un nom à la vue.", field_errors={"name": "Donnez un nom à la vue."}
        )
    check_lengths({"name": (name, TITLE_MAX)})
    return name


def _share_queue(session: Session, agent: Agent, code: str) -> int:
    """The id of the queue to share with: the policy says who may, and with which queues."""
    ensure(session, agent, Action.SHARE_VIEWS)
    queue = next((q for q in shareable_queues(session, agent) if q.code == code), None)
    if queue is None or queue.id is None:
        raise ValidationFailedError(
            "Choisissez une de vos files.",
            field_errors={"share_with": "Choisissez une de vos files."},
        )
    return queue.id
