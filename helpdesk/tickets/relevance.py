"""The "Pertinence" sort of a search: the best matches first, scored from the index.

PostgreSQL scores with ts_rank_cd over the stored weighted vector (a subject match above a
message-only one), SQLite with FTS5's bm25 weighing the heading, contact and body columns;
a ticket whose reference, e-mail, phone, numéro étranger or dossier number is the query
comes first on both. Scoring reads each candidate's vector, so it is bounded: the
candidates are the CANDIDATES most recent matches (found through the indexes), then
ranked and paged by keyset on (score, id). Beyond CANDIDATES matches the count says
"plus de 1 000 résultats" and the agent narrows the search; the older matches remain
reachable with the date sorts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, case, cast, func, literal, literal_column
from sqlalchemy import tuple_ as tuple_of
from sqlmodel import Session, col, select

from helpdesk.tickets.lookups import lookup_condition
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.search import FTS, SEARCH, VECTOR, SearchQuery, fts_match, ts_query

CANDIDATES = 1000
EXACT_BONUS = 10.0  # above any text score: an exact lookup comes first
BM25_WEIGHTS = (10.0, 4.0, 1.0)  # heading, contact, body (the FTS5 columns' order)


def ranked_page(
    session: Session,
    *,
    conditions: list[Any],
    search: SearchQuery,
    cursor: list[Any] | None,
    size: int,
) -> list[tuple[Ticket, float]]:
    """Up to `size` matching tickets after the cursor (score, id), best first, with scores."""
    candidates = (
        select(col(Ticket.id).label("id"))
        .where(*conditions)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(CANDIDATES)
        .subquery("candidate")
    )
    scored = _scored(session, candidates, search).subquery("scored")
    query = select(Ticket, scored.c.score).join(scored, scored.c.id == Ticket.id)
    if cursor is not None and len(cursor) == 2:  # (score, id)
        try:
            bound = tuple_of(literal(float(cursor[0]), Float), literal(int(cursor[1]), Integer))
        except (TypeError, ValueError):
            bound = None
        if bound is not None:
            query = query.where(tuple_of(scored.c.score, scored.c.id) < bound)
    query = query.order_by(scored.c.score.desc(), scored.c.id.desc()).limit(size)
    return [(ticket, float(score)) for ticket, score in session.exec(query).all()]


def _scored(session: Session, candidates: Any, search: SearchQuery) -> Any:
    """The candidates with their score: text relevance, plus a bonus for an exact lookup."""
    exact = cast(case((lookup_condition(search.lookups), EXACT_BONUS), else_=0.0), Float)
    query = select(candidates.c.id).join(Ticket, col(Ticket.id) == candidates.c.id)
    if not search.terms:
        return query.add_columns(exact.label("score"))
    if session.get_bind().dialect.name == "postgresql":
        text_score = cast(func.ts_rank_cd(VECTOR, ts_query(search.terms)), Float)
        query = query.join(SEARCH, SEARCH.c.ticket_id == candidates.c.id)
        return query.add_columns((text_score + exact).label("score"))
    bm25 = func.bm25(literal_column("ticket_fts"), *BM25_WEIGHTS)
    fts = (
        select(FTS.c.rowid.label("ticket_id"), (-bm25).label("text_score"))
        .where(fts_match(search.terms))
        .where(FTS.c.rowid.in_(select(candidates.c.id)))
        .subquery("fts_score")
    )
    bm25_score = func.coalesce(fts.c.text_score, 0.0)
    query = query.outerjoin(fts, fts.c.ticket_id == candidates.c.id)
    return query.add_columns(cast(bm25_score + exact, Float).label("score"))
