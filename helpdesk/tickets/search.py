"""Full-text search over tickets, normalised in Python by knowledge_base.text on both databases.

The search document of a ticket holds its tokens (`knowledge_base.text.tokens`: folded,
stop words dropped, stemmed, other scripts kept), and a query goes through the same
function, so "prefecture" finds "Préfecture", "coeur" finds "cœur" and a Cyrillic or
Arabic name finds itself, the same way on SQLite (FTS5) and PostgreSQL (tsvector with
the 'simple' configuration, which only splits on spaces what is already normalised).
Terms of three characters or more match as prefixes ("natur" finds "naturalisation").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Integer, column, false, text
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session, col, select

from helpdesk.tickets.models import Message, Ticket, TicketSearchDocument
from knowledge_base.text import tokens, words

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PREFIX_MIN_LENGTH = 3  # shorter terms match whole tokens only


def search_document(parts: Iterable[str]) -> str:
    """The stored search text of a ticket's parts: their tokens, separated by spaces."""
    return " ".join(" ".join(tokens(part)) for part in parts if part).strip()


def index_ticket(session: Session, ticket: Ticket, *, new_bodies: Sequence[str] = ()) -> None:
    """Write the ticket's searchable text: reference, subject, contact, dossier, messages.

    `new_bodies` are the messages of a ticket being created (it has no document yet): given,
    nothing is read back from the database.
    """
    if new_bodies:
        document = _document(ticket, new_bodies)
        session.add(TicketSearchDocument(ticket_id=ticket.id, document=document))  # type: ignore[arg-type]
        return
    session.flush()
    bodies = session.exec(select(Message.body).where(Message.ticket_id == ticket.id)).all()
    document = _document(ticket, bodies)
    existing = session.get(TicketSearchDocument, ticket.id)
    if existing is None:
        session.add(TicketSearchDocument(ticket_id=ticket.id, document=document))  # type: ignore[arg-type]
    else:
        existing.document = document


def _document(ticket: Ticket, bodies: Sequence[str]) -> str:
    """The search document of a ticket with these message bodies."""
    return search_document(
        [
            ticket.reference,
            ticket.subject,
            ticket.requester_name,
            ticket.requester_email or "",
            ticket.dossier_number or "",
            *bodies,
        ]
    )


def search_terms(query: str) -> list[str]:
    """The tokens of a query (as in the search document), without repeats, at most a dozen."""
    return list(dict.fromkeys(tokens(query[:MAX_QUERY_LENGTH])))[:MAX_TERMS]


def matching_ticket_ids(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on Ticket.id for the tickets whose text matches every term.

    None when the query has no words (no filter); nothing matches when its words are all
    stop words, which are not indexed.
    """
    terms = search_terms(query)
    if not terms:
        return false() if words(query[:MAX_QUERY_LENGTH]) else None
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return col(Ticket.id).in_(_postgres_ids(terms))
    return col(Ticket.id).in_(_sqlite_ids(terms))


def _postgres_ids(terms: list[str]) -> TextualSelect:
    """Ticket ids whose tokens match every term (the GIN index's expression)."""
    expression = " & ".join(
        f"'{_plain(term)}'" + (":*" if len(term) >= PREFIX_MIN_LENGTH else "") for term in terms
    )
    query = text(
        "SELECT ticket_id FROM ticket_search "
        "WHERE to_tsvector('simple', document) @@ to_tsquery('simple', :q)"
    )
    return query.bindparams(q=expression).columns(column("ticket_id", Integer))


def _sqlite_ids(terms: list[str]) -> TextualSelect:
    """Ticket ids whose tokens match every term in the FTS5 index."""
    expression = " AND ".join(
        f'"{_plain(term)}"' + ("*" if len(term) >= PREFIX_MIN_LENGTH else "") for term in terms
    )
    query = text("SELECT rowid AS ticket_id FROM ticket_fts WHERE ticket_fts MATCH :q")
    return query.bindparams(q=expression).columns(column("ticket_id", Integer))


def _plain(term: str) -> str:
    """A token is letters, digits and marks; drop quotes and backslashes all the same."""
    return term.replace('"', "").replace("'", "").replace("\\", "")
