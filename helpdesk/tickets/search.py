"""Full-text search over tickets, normalised in Python by knowledge_base.text on both databases.

A ticket's search tokens (`knowledge_base.text.tokens`: folded, stop words dropped, stemmed,
other scripts kept) are stored by weight: heading (reference, subject), contact (name,
e-mail, dossier number) and body (messages). A query goes through the same function, so
"prefecture" finds "Préfecture", "coeur" finds "cœur" and a Cyrillic or Arabic name finds
itself, the same way on SQLite (FTS5, one column per weight) and PostgreSQL (a stored,
weighted tsvector with the 'simple' configuration and its GIN index). Terms of three
characters or more match as prefixes ("natur" finds "naturalisation"). A query that is a
reference, an e-mail address or a number is also looked up exactly (helpdesk.tickets.lookups).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    column,
    false,
    func,
    literal_column,
    table,
    text,
    union_all,
)
from sqlmodel import Session, col, select

from helpdesk.tickets.lookups import Lookups, exact_lookups, lookup_ids
from helpdesk.tickets.models import Message, Ticket, TicketSearchDocument
from knowledge_base.text import tokens, words

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PREFIX_MIN_LENGTH = 3  # shorter terms match whole tokens only
# What each database matches with, made by the migrations outside the model (revision 0012).
SEARCH = table("ticket_search", column("ticket_id", Integer))
VECTOR: ColumnElement[Any] = literal_column("ticket_search.vector")
FTS = table("ticket_fts", column("rowid", Integer))


def search_document(parts: Iterable[str | None]) -> str:
    """The stored search text of some parts: their tokens, separated by spaces."""
    return " ".join(token for part in parts if part for token in tokens(part))


@dataclass(frozen=True)
class SearchParts:
    """A ticket's search tokens by weight (the columns of TicketSearchDocument)."""

    heading: str  # reference and subject: weight A
    contact: str  # requester name, e-mail and dossier number: weight B
    body: str  # the messages: weight D


def search_parts(ticket: Ticket, bodies: Iterable[str]) -> SearchParts:
    """The weighted search tokens of a ticket and its message bodies."""
    return SearchParts(
        heading=search_document([ticket.reference, ticket.subject]),
        contact=search_document(
            [ticket.requester_name, ticket.requester_email, ticket.dossier_number]
        ),
        body=search_document(bodies),
    )


def index_ticket(session: Session, ticket: Ticket, *, new_bodies: Sequence[str] = ()) -> None:
    """Write the ticket's searchable tokens: reference, subject, contact, dossier, messages.

    `new_bodies` are the messages of a ticket being created (it has no document yet): given,
    nothing is read back from the database.
    """
    if new_bodies:
        parts = search_parts(ticket, new_bodies)
        session.add(TicketSearchDocument(ticket_id=ticket.id, **parts.__dict__))  # type: ignore[arg-type]
        return
    session.flush()
    bodies = session.exec(
        select(Message.body).where(Message.ticket_id == ticket.id).order_by(col(Message.id))
    ).all()
    parts = search_parts(ticket, bodies)
    existing = session.get(TicketSearchDocument, ticket.id)
    if existing is None:
        session.add(TicketSearchDocument(ticket_id=ticket.id, **parts.__dict__))  # type: ignore[arg-type]
    else:
        existing.heading, existing.contact, existing.body = parts.heading, parts.contact, parts.body


def plan_for_values(session: Session) -> None:
    """On PostgreSQL, plan the rest of this transaction's statements for their actual values.

    psycopg prepares a statement run five times; PostgreSQL then switches to a generic plan
    that ignores the query's words, and the plan that suits a rare word (the GIN index)
    makes a common one take seconds. The search's statements are planned each time instead.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def clean_query(query: str) -> str:
    """The query cut to MAX_QUERY_LENGTH, NUL and other control characters made spaces."""
    return "".join(char if char.isprintable() else " " for char in query[:MAX_QUERY_LENGTH])


def search_terms(query: str) -> list[str]:
    """The tokens of a query (as in the search document), without repeats, at most a dozen."""
    return list(dict.fromkeys(tokens(clean_query(query))))[:MAX_TERMS]


Alternatives = Callable[[str], tuple[str, ...]]  # a folded word -> terms it may have meant


@dataclass(frozen=True)
class SearchQuery:
    """A query as the search runs it: its tokens and the exact values it names.

    `groups` holds, for each token, the token and the terms it may have meant (a typo's
    corrections): a ticket matches one of each group.
    """

    terms: tuple[str, ...]
    lookups: Lookups
    has_words: bool  # False: nothing to search for (no filter at all)
    groups: tuple[tuple[str, ...], ...] = ()

    @property
    def matched_terms(self) -> tuple[str, ...]:
        """Every term a ticket may match (the excerpts mark them)."""
        return tuple(dict.fromkeys(t for group in self.term_groups for t in group))

    @property
    def term_groups(self) -> tuple[tuple[str, ...], ...]:
        """The groups, or one group per token when no correction was asked."""
        return self.groups or tuple((term,) for term in self.terms)


def parse_query(query: str, alternatives: Alternatives | None = None) -> SearchQuery:
    """Tokens and exact lookups of what the agent typed, with each token's alternatives."""
    cleaned = clean_query(query)
    terms = tuple(search_terms(cleaned))
    groups: dict[str, tuple[str, ...]] = {}
    if alternatives is not None:
        for word in words(cleaned):
            term = tokens(word)[:1]
            if term and term[0] in terms and term[0] not in groups:
                groups[term[0]] = (term[0], *alternatives(word))
    return SearchQuery(
        terms=terms,
        lookups=exact_lookups(cleaned),
        has_words=bool(words(cleaned)),
        groups=tuple(groups.get(term, (term,)) for term in terms) if groups else (),
    )


def matching_ticket_ids(session: Session, query: str | SearchQuery) -> ColumnElement[bool] | None:
    """A condition on Ticket.id for the tickets whose text matches every term, or whose
    reference, e-mail, phone, numéro étranger or dossier number is the query.

    None when the query has no words (no filter); nothing matches when its words are all
    stop words, which are not indexed, and it names nothing exactly.
    """
    search = parse_query(query) if isinstance(query, str) else query
    if not search.has_words:
        return None
    selects: list[Select[Any]] = []
    if search.terms:
        selects.append(text_match_ids(session.get_bind().dialect.name, search.term_groups))
    selects += lookup_ids(search.lookups)
    if not selects:
        return false()
    ids = selects[0] if len(selects) == 1 else union_all(*selects)
    return col(Ticket.id).in_(ids)


Terms = Sequence[str | Sequence[str]]  # each: a term, or alternatives of which one matches


def text_match_ids(dialect: str, terms: Terms) -> Select[Any]:
    """Ticket ids whose tokens match every term, from the full-text index of the database."""
    if dialect == "postgresql":
        return select(SEARCH.c.ticket_id).where(VECTOR.op("@@")(ts_query(terms)))
    return select(FTS.c.rowid).where(fts_match(terms))


def ts_query(terms: Terms) -> ColumnElement[Any]:
    """PostgreSQL's tsquery of the terms: all of them (one of each group), long ones as
    prefixes."""
    expression = " & ".join(
        _any_of([f"'{_plain(t)}'" + (":*" if len(t) >= PREFIX_MIN_LENGTH else "") for t in group])
        for group in _groups(terms)
    )
    return func.to_tsquery(
        literal_column("'simple'::regconfig"), bindparam("tsquery", expression, unique=True)
    )


def fts_match(terms: Terms) -> ColumnElement[bool]:
    """SQLite's FTS5 condition for the terms: all of them (one of each group), long ones as
    prefixes."""
    expression = " AND ".join(
        _any_of(
            [f'"{_plain(t)}"' + ("*" if len(t) >= PREFIX_MIN_LENGTH else "") for t in group],
            " OR ",
        )
        for group in _groups(terms)
    )
    return literal_column("ticket_fts").op("MATCH")(bindparam("fts", expression, unique=True))


def _groups(terms: Terms) -> list[list[str]]:
    """Each term as a group of alternatives (empty ones dropped)."""
    groups = [[term] if isinstance(term, str) else list(term) for term in terms]
    return [[t for t in group if _plain(t)] or group for group in groups]


def _any_of(parts: list[str], separator: str = " | ") -> str:
    """One of these query parts: a single one as is, several in parentheses."""
    return parts[0] if len(parts) == 1 else "(" + separator.join(parts) + ")"


def _plain(term: str) -> str:
    """A token is letters, digits and marks; drop quotes and backslashes all the same."""
    return term.replace('"', "").replace("'", "").replace("\\", "")
