"""Queue lists: filters, sorting and keyset pagination, restricted to what the agent may see."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import DateTime, case, func, literal, tuple_
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.policy import visible_tickets
from helpdesk.ticket_routing.queries import sla_badges, sla_condition
from helpdesk.tickets import typos
from helpdesk.tickets.builtin_views import view_conditions
from helpdesk.tickets.highlight import excerpts
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import Priority, Ticket
from helpdesk.tickets.relevance import CANDIDATES, candidate_ids, ranked_page
from helpdesk.tickets.search import (
    SearchQuery,
    matching_ticket_ids,
    parse_query,
    plan_for_values,
)

PAGE_SIZE = 50
COUNT_CAP = CANDIDATES  # lists count up to this; beyond, "plus de 1 000 résultats"
RELEVANCE = "pertinence"
PRIORITY_RANK = case(
    {Priority.URGENT.value: 4, Priority.HIGH.value: 3, Priority.NORMAL.value: 2},
    value=col(Ticket.priority),
    else_=1,
)
SORTS = {
    "anciens": "Les plus anciens d'abord",
    "recents": "Les plus récents d'abord",
    "priorite": "Priorité puis ancienneté",
    "activite": "Dernière activité",
    RELEVANCE: "Pertinence (recherche)",
}
AGES = {"": "Tous", "1": "Plus de 24 heures", "3": "Plus de 3 jours", "7": "Plus de 7 jours"}


@dataclass(frozen=True)
class QueueFilters:
    """What the agent asked to see; every field comes from the URL."""

    queue_id: int | None = None
    status: str = "actifs"
    procedure: str = ""
    channel: str = ""
    priority: str = ""
    assigned: str = ""  # "", "moi", "personne"
    age_days: str = ""
    q: str = ""
    sla: str = ""  # state of the running SLA clock (helpdesk.ticket_routing.queries.SLA_FILTERS)
    sort: str = "anciens"
    after: str = ""
    sealed_q: str = ""  # `q` sealed for URLs (helpdesk.tickets.sealed_search)
    view: str = ""  # a work view (helpdesk.tickets.builtin_views), named by the page's path

    def query_string(self, **changes: Any) -> str:
        """The filters as a URL query (for links and auto-refresh), with some changed; the
        search words travel sealed (`qs`), never in clear."""
        from urllib.parse import urlencode

        values = {**self.__dict__, **changes}
        values.pop("queue_id", None)
        values.pop("view", None)
        values["qs"] = values.pop("sealed_q", "") if values.pop("q", "") else ""
        # The status stays even when empty: "" is "every status" where a page offers it.
        return urlencode({k: v for k, v in values.items() if v not in ("", None) or k == "status"})


@dataclass
class TicketPage:
    """One page of a list and the cursor of the next one."""

    tickets: list[Ticket] = field(default_factory=list)
    total: int = 0
    next_cursor: str | None = None
    sla: dict[int, dict[str, Any]] = field(default_factory=dict)  # SLA badge per ticket id
    excerpts: dict[int, Markup] = field(default_factory=dict)  # search excerpt per ticket id
    assignees: dict[int, str] = field(default_factory=dict)  # assignee's name per agent id

    @property
    def total_label(self) -> str:
        """The count as the page says it, capped: "plus de 1 000 résultats" beyond."""
        if self.total > COUNT_CAP:
            return f"Plus de {COUNT_CAP:,} résultats".replace(",", "\u00a0")
        return f"{self.total} ticket{'s' if self.total != 1 else ''}"


def list_tickets(session: Session, *, agent: Agent, filters: QueueFilters) -> TicketPage:
    """The tickets matching the filters that the agent may see, one page at a time."""
    search = parse_query_for(session, filters.q) if filters.q else None
    if search is not None:
        plan_for_values(session)
    conditions = _conditions(session, agent, filters, search)
    page = TicketPage()
    cursor = decode_cursor(filters.after)
    if filters.sort == RELEVANCE and search is not None and search.has_words:
        # One walk finds the candidates and counts them (there are COUNT_CAP + 1 at most).
        ids = candidate_ids(session, conditions=conditions)
        page.total = len(ids)
        ranked = ranked_page(session, ids=ids, search=search, cursor=cursor, size=PAGE_SIZE + 1)
        page.tickets = [ticket for ticket, _score in ranked[:PAGE_SIZE]]
        if len(ranked) > PAGE_SIZE:
            ticket, score = ranked[PAGE_SIZE - 1]
            page.next_cursor = encode_cursor([score, ticket.id])
    else:
        page.total = capped_count(session, conditions)
        rows = _keyset_page(session, conditions, filters.sort, cursor)
        page.tickets = rows[:PAGE_SIZE]
        if len(rows) > PAGE_SIZE:
            page.next_cursor = encode_cursor(key_values(rows[PAGE_SIZE - 1], filters.sort))
    shown = [ticket.id for ticket in page.tickets]
    page.sla = sla_badges(session, shown)
    page.assignees = assignee_names(session, page.tickets)
    if search is not None:
        terms = search.matched_terms
        page.excerpts = excerpts(session, ticket_ids=[i for i in shown if i], terms=terms)
    return page


def parse_query_for(session: Session, query: str) -> SearchQuery:
    """The agent's query with typo corrections from the words of the tickets."""
    return parse_query(query, alternatives=lambda word: typos.alternatives(session, word))


def assignee_names(session: Session, tickets: list[Ticket]) -> dict[int, str]:
    """The names of these tickets' assignees, by agent id (one query)."""
    ids = {ticket.assignee_id for ticket in tickets if ticket.assignee_id is not None}
    if not ids:
        return {}
    rows = session.exec(select(Agent.id, Agent.full_name).where(col(Agent.id).in_(ids)))
    return {int(agent_id or 0): name for agent_id, name in rows}


def capped_count(session: Session, conditions: list[Any]) -> int:
    """How many tickets match, counted up to COUNT_CAP + 1 (enough to say "plus de")."""
    matching = select(Ticket.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    return int(session.exec(select(func.count()).select_from(matching)).one())


def _keyset_page(
    session: Session, conditions: list[Any], sort: str, cursor: list[Any] | None
) -> list[Ticket]:
    """One page (and one more row) in a date or priority order, after the cursor."""
    keys, descending = sort_spec(sort)
    query = select(Ticket).where(*conditions)
    if cursor is not None and _fits(cursor, keys):
        bound = tuple_(*(literal(value, key.type) for key, value in zip(keys, cursor, strict=True)))
        query = query.where(tuple_(*keys) < bound if descending else tuple_(*keys) > bound)
    order = [key.desc() for key in keys] if descending else keys
    return list(session.exec(query.order_by(*order).limit(PAGE_SIZE + 1)).all())


def list_conditions(session: Session, *, agent: Agent, filters: QueueFilters) -> list[Any]:
    """The WHERE clauses of a list as the agent set it (counts and neighbours use them)."""
    search = parse_query_for(session, filters.q) if filters.q else None
    return _conditions(session, agent, filters, search)


def _conditions(
    session: Session, agent: Agent, filters: QueueFilters, search: SearchQuery | None
) -> list[Any]:
    """The WHERE clauses of a list."""
    conditions: list[Any] = [visible_tickets(session, agent, in_queue=filters.queue_id)]
    if filters.view:
        conditions += view_conditions(session, agent, filters.view)
    if filters.queue_id is not None:
        conditions.append(col(Ticket.queue_id) == filters.queue_id)
    if filters.status == "actifs":
        conditions.append(is_active())
    elif filters.status:
        conditions.append(col(Ticket.status) == filters.status)
    for name in ("procedure", "channel", "priority"):
        if value := getattr(filters, name):
            conditions.append(getattr(Ticket, name) == value)
    if filters.assigned == "moi":
        conditions.append(col(Ticket.assignee_id) == agent.id)
    elif filters.assigned == "personne":
        conditions.append(col(Ticket.assignee_id).is_(None))
    if filters.age_days.isdigit():
        conditions.append(
            col(Ticket.created_at) <= utcnow() - timedelta(days=int(filters.age_days))
        )
    if (sla := sla_condition(filters.sla)) is not None:
        conditions.append(sla)
    if search is not None and (matching := matching_ticket_ids(session, search)) is not None:
        conditions.append(matching)
    return conditions


def _fits(cursor: list[Any], keys: list[Any]) -> bool:
    """Whether a cursor's values have the types of the sort keys (a forged one is ignored)."""
    if len(cursor) != len(keys):
        return False
    for key, value in zip(keys, cursor, strict=True):
        expected = datetime if isinstance(getattr(key.type, "impl", key.type), DateTime) else int
        if isinstance(value, bool) or not isinstance(value, expected):
            return False
    return True


def sort_spec(sort: str) -> tuple[list[Any], bool]:
    """The key columns of a sort (ending with the id, so keys are unique) and its direction."""
    if sort == "recents":
        return [col(Ticket.created_at), col(Ticket.id)], True
    if sort == "activite":
        return [col(Ticket.updated_at), col(Ticket.id)], True
    if sort == "priorite":
        return [-PRIORITY_RANK, col(Ticket.created_at), col(Ticket.id)], False
    return [col(Ticket.created_at), col(Ticket.id)], False


def key_values(ticket: Ticket, sort: str) -> list[Any]:
    """The sort key of a ticket, as stored in a cursor."""
    if sort == "activite":
        return [ticket.updated_at, ticket.id]
    if sort == "priorite":
        rank = {"urgent": 4, "high": 3, "normal": 2}.get(ticket.priority, 1)
        return [-rank, ticket.created_at, ticket.id]
    return [ticket.created_at, ticket.id]


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor for the next page."""
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    """The values of a cursor, or None if it is absent or malformed."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(values, list):
        return None
    return [_revive(value) for value in values]


def _revive(value: Any) -> Any:
    """Turn ISO timestamps of a cursor back into datetimes."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
