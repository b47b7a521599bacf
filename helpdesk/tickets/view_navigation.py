"""« Ticket précédent / suivant dans la vue »: a ticket's neighbours in the list the agent
last opened, in that list's order and within what the policy lets them see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, tuple_
from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.tickets.listing import (
    RELEVANCE,
    QueueFilters,
    key_values,
    list_conditions,
    parse_query_for,
    sort_spec,
)
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.relevance import CANDIDATES, candidate_ids, ranked_page


def neighbour(
    session: Session, *, agent: Agent, filters: QueueFilters, ticket: Ticket, forward: bool
) -> int | None:
    """The id of the ticket after (or before) this one in the list, or None at its end.

    The ticket itself need not be in the list any more (taken, answered): its place is where
    its sort key would be.
    """
    conditions = list_conditions(session, agent=agent, filters=filters)
    if filters.sort == RELEVANCE and filters.q:
        return _ranked_neighbour(session, conditions, filters, ticket, forward)
    keys, descending = sort_spec(filters.sort)
    values = key_values(ticket, filters.sort)
    bound = tuple_(*(literal(v, key.type) for key, v in zip(keys, values, strict=True)))
    after = forward != descending  # ascending and forward: greater keys come next
    query = select(Ticket.id).where(*conditions)
    query = query.where(tuple_(*keys) > bound if after else tuple_(*keys) < bound)
    order = keys if after else [key.desc() for key in keys]
    found = session.exec(query.order_by(*order).limit(1)).first()
    return int(found) if found is not None else None


def _ranked_neighbour(
    session: Session,
    conditions: list[Any],
    filters: QueueFilters,
    ticket: Ticket,
    forward: bool,
) -> int | None:
    """The neighbour in a search's relevance order (its candidates ranked once)."""
    search = parse_query_for(session, filters.q)
    ids = candidate_ids(session, conditions=conditions)
    ranked = [
        t.id for t, _ in ranked_page(session, ids=ids, search=search, cursor=None, size=CANDIDATES)
    ]
    if ticket.id not in ranked:
        return ranked[0] if ranked and forward else None
    index = ranked.index(ticket.id) + (1 if forward else -1)
    return ranked[index] if 0 <= index < len(ranked) else None


def first_of(session: Session, *, agent: Agent, filters: QueueFilters) -> Ticket | None:
    """The first ticket of the list in its order (« Prendre le suivant » picks it)."""
    conditions = list_conditions(session, agent=agent, filters=filters)
    keys, descending = sort_spec(filters.sort)
    order = [key.desc() for key in keys] if descending else keys
    return session.exec(select(Ticket).where(*conditions).order_by(*order).limit(1)).first()
