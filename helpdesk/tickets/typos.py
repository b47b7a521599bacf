"""Typo tolerance of the ticket search: a query word the tickets do not contain is corrected
against the words they do contain, with the suggestion engine's tools (knowledge_base.fuzzy:
length-aware edit distance, truncated spellings; knowledge_base.lexicon: SMS spellings).

"renouvelement" and "renouvelemen" find "renouvellement", "dosier" finds "dossier". The
vocabulary is the surface words of the most recent tickets' subjects and messages, kept per
database in this process and topped up with the tickets created since (one indexed query),
rebuilt when the database changed under it (tests empty it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from helpdesk.tickets.models import Message, Ticket
from knowledge_base.fuzzy import Vocabulary
from knowledge_base.lexicon import ABBREVIATIONS
from knowledge_base.text import index_term, words

RECENT_TICKETS = 2_000  # tickets whose words make the vocabulary when it is built
BODY_CHARS = 1_000  # of each message, enough for its topic
MAX_ALTERNATIVES = 4


@dataclass
class _Known:
    """One database's vocabulary, the stems it holds and the newest ticket it has read."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    stems: set[str] = field(default_factory=set)
    last_id: int = 0
    last_created: datetime | None = None


_known: dict[str, _Known] = {}
_lock = threading.Lock()


def alternatives(session: Session, word: str) -> tuple[str, ...]:
    """Index terms a folded query word may have meant, when the tickets do not hold it."""
    term = index_term(word)
    if not term or word.isdigit():
        return ()
    known = _vocabulary(session)
    if term in known.stems:
        return ()
    found: list[str] = []
    full = ABBREVIATIONS.get(word, "")
    if full and " " not in full:
        found.append(index_term(full))
    if (fixed := known.vocabulary.correct(word)) is not None:
        found.append(index_term(fixed))
    found += [index_term(w) for w in known.vocabulary.completions(word)]
    return tuple(dict.fromkeys(t for t in found if t and t != term))[:MAX_ALTERNATIVES]


def forget_vocabularies() -> None:
    """Drop every kept vocabulary (tests that rebuild a database)."""
    with _lock:
        _known.clear()


def _vocabulary(session: Session) -> _Known:
    """The database's vocabulary, topped up with the tickets created since it was read."""
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    newest = session.exec(
        select(Ticket.id, Ticket.created_at).order_by(col(Ticket.id).desc()).limit(1)
    ).first()
    with _lock:
        known = _known.get(database)
        if newest is None:
            _known[database] = _Known()
            return _known[database]
        newest_id, created = int(newest[0] or 0), newest[1]
        stale = known is None or newest_id < known.last_id
        if known is not None and newest_id == known.last_id and created != known.last_created:
            stale = True
        if stale:
            known = _known[database] = _Known()
        assert known is not None
        if newest_id > known.last_id:
            _read_tickets(session, known, after=known.last_id)
            known.last_id, known.last_created = newest_id, created
        return known


def _read_tickets(session: Session, known: _Known, *, after: int) -> None:
    """Add the words of the tickets after this id (the most recent ones at most)."""
    tickets = session.exec(
        select(Ticket.id, Ticket.subject)
        .where(col(Ticket.id) > after)
        .order_by(col(Ticket.id).desc())
        .limit(RECENT_TICKETS)
    ).all()
    if not tickets:
        return
    texts: dict[int, list[str]] = {int(i or 0): [subject] for i, subject in tickets}
    bodies = session.exec(
        select(Message.ticket_id, Message.body).where(col(Message.ticket_id) >= min(texts))
    )
    for ticket_id, body in bodies:
        if ticket_id in texts:
            texts[ticket_id].append(body[:BODY_CHARS])
    for parts in texts.values():
        found = [w for part in parts for w in words(part) if not w.isdigit()]
        known.vocabulary.add(found)
        known.stems.update(t for w in set(found) if (t := index_term(w)))
