"""The "Pertinence" sort of a search: the best matches first, scored from the index.

PostgreSQL scores with ts_rank_cd over the stored weighted vector (a subject match above a
message-only one), SQLite with FTS5's bm25 weighing the heading, contact and body columns;
a ticket whose reference, e-mail, phone, numéro étranger or dossier number is the query
comes first on both. Scoring reads each candidate's vector, so it is bounded: the
candidates are the CANDIDATES most recent matches (found through the indexes; the same
walk counts them), then ranked and paged by keyset on (score, id). Beyond CANDIDATES
matches the count says "plus de 1 000 résultats" and the agent narrows the search; the
older matches remain reachable with the date sorts. Each page recomputes the candidates:
a ticket created meanwhile may push the oldest candidate out of the window.
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


def candidate_ids(session: Session, *, conditions: list[Any]) -> list[int]:
    """The most recent matching tickets, CANDIDATES and one more (their count is the total)."""
    query = (
        select(col(Ticket.id))
        .where(*conditions)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(CANDIDATES + 1)
    )
    return [int(ticket_id) for ticket_id in session.exec(query) if ticket_id is not None]


def ranked_page(
    session: Session,
    *,
    ids: list[int],
    search: SearchQuery,
    cursor: list[Any] | None,
    size: int,
) -> list[tuple[Ticket, float]]:
    """Up to `size` of these tickets after the cursor (score, id), best first, with scores."""
    if not ids:
        return []
    scored = _scored(session, ids[:CANDIDATES], search).subquery("scored")
    query = select(Ticket, scored.c.score).join(scored, scored.c.id == Ticket.id)
    if (bound := _bound(cursor)) is not None:
        query = query.where(tuple_of(scored.c.score, scored.c.id) < bound)
    query = query.order_by(scored.c.score.desc(), scored.c.id.desc()).limit(size)
    return [(ticket, float(score)) for ticket, score in session.exec(query).all()]


def _bound(cursor: list[Any] | None) -> Any:
    """The (score, id) a relevance cursor holds, or None when it is absent or forged."""
    if cursor is None or len(cursor) != 2:
        return None
    score, ticket_id = cursor
    if not isinstance(score, int | float) or not isinstance(ticket_id, int):
        return None
    return tuple_of(literal(float(score), Float), literal(ticket_id, Integer))


def _scored(session: Session, ids: list[int], search: SearchQuery) -> Any:
    """These tickets' ids and scores: text relevance, plus a bonus for an exact lookup."""
    exact = cast(case((lookup_condition(search.lookups), EXACT_BONUS), else_=0.0), Float)
    query: Any = select(col(Ticket.id).label("id")).where(col(Ticket.id).in_(ids))
    if not search.terms:
        return query.add_columns(exact.label("score"))
    if session.get_bind().dialect.name == "postgresql":
        text_score = cast(func.ts_rank_cd(VECTOR, ts_query(search.term_groups)), Float)
        query = query.join(SEARCH, SEARCH.c.ticket_id == col(Ticket.id))
        return query.add_columns((text_score + exact).label("score"))
    bm25 = func.bm25(literal_column("ticket_fts"), *BM25_WEIGHTS)
    fts = (
        select(FTS.c.rowid.label("ticket_id"), (-bm25).label("text_score"))
        .where(fts_match(search.term_groups))
        .where(FTS.c.rowid.in_(ids))
        .subquery("fts_score")
    )
    bm25_score = func.coalesce(fts.c.text_score, 0.0)
    query = query.outerjoin(fts, fts.c.ticket_id == col(Ticket.id))
    return query.add_columns(cast(bm25_score + exact, Float).label("score"))
