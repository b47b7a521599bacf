"""Full-text search over tickets: French tsvector + unaccent on PostgreSQL, FTS5 on SQLite."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, Integer, column, text
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session, col, select

from helpdesk.tickets.models import Message, Ticket, TicketSearchDocument

MAX_QUERY_LENGTH = 200
WORD = re.compile(r"[\w@.\-]+", re.UNICODE)


def index_ticket(session: Session, ticket: Ticket) -> None:
    """Write the ticket's searchable text: reference, subject, contact, dossier, messages."""
    session.flush()
    bodies = session.exec(select(Message.body).where(Message.ticket_id == ticket.id)).all()
    parts = [
        ticket.reference,
        ticket.reference.replace("-", " "),
        ticket.subject,
        ticket.requester_name,
        ticket.requester_email or "",
        ticket.dossier_number or "",
        *bodies,
    ]
    document = "\n".join(part for part in parts if part)
    existing = session.get(TicketSearchDocument, ticket.id)
    if existing is None:
        session.add(TicketSearchDocument(ticket_id=ticket.id, document=document))  # type: ignore[arg-type]
    else:
        existing.document = document


def search_terms(query: str) -> list[str]:
    """The words of a query, without accents or operators, at most a dozen."""
    query = query[:MAX_QUERY_LENGTH]
    plain = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode().lower()
    return [w.strip(".-") for w in WORD.findall(plain) if w.strip(".-")][:12]


def matching_ticket_ids(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on Ticket.id for the tickets whose text matches every word; None if empty."""
    terms = search_terms(query)
    if not terms:
        return None
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return col(Ticket.id).in_(_postgres_ids(terms))
    return col(Ticket.id).in_(_sqlite_ids(terms))


def _postgres_ids(terms: list[str]) -> TextualSelect:
    """Ticket ids matching the terms in French full-text search (or as a substring)."""
    words = " ".join(terms)
    return (
        text(
            "SELECT ticket_id FROM ticket_search WHERE "
            "to_tsvector('french', f_unaccent(document)) "
            "@@ plainto_tsquery('french', f_unaccent(:q)) "
            "OR f_unaccent(lower(document)) LIKE :like"
        )
        .bindparams(q=words, like=f"%{_escape_like(words)}%")
        .columns(column("ticket_id", Integer))
    )


def _sqlite_ids(terms: list[str]) -> TextualSelect:
    """Ticket ids matching the terms as prefixes in the FTS5 index."""
    expression = " AND ".join(f'"{term.replace(chr(34), "")}"*' for term in terms)
    query = text("SELECT rowid AS ticket_id FROM ticket_fts WHERE ticket_fts MATCH :q")
    return query.bindparams(q=expression).columns(column("ticket_id", Integer))


def _escape_like(value: str) -> str:
    """Escape LIKE wildcards in user text."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
