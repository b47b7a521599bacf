"""Classification from the wiki and resolved tickets: suggestions, applied when confident."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.db import require_id
from helpdesk.kb.models import Article
from helpdesk.ticket_routing.facts import first_message
from helpdesk.ticket_routing.models import TicketClassification
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import QUESTION_KINDS, Message, Status, Ticket
from helpdesk.tickets.service import record_event
from knowledge_base.corpus import strip_markdown
from routing.classification import (
    Classifier,
    Example,
    Guess,
    article_examples,
    category_examples,
)

RESOLVED_EXAMPLES = 2000
# Newly resolved tickets refresh the classifiers at most this often (a wiki change at once).
REBUILD_INTERVAL_S = 600.0
UNSET_CATEGORIES = frozenset({"", "autre"})


@dataclass
class _Built:
    """Classifiers as built, and what they were built from."""

    database: str
    articles: tuple[object, ...]
    tickets: tuple[object, ...]
    checked_at: float
    procedures: Classifier
    categories: Classifier


_cache: dict[str, _Built] = {}
_lock = threading.Lock()


def _article_signature(session: Session) -> tuple[object, ...]:
    """What the wiki part of the classifiers depends on."""
    return tuple(session.exec(select(func.count(), func.max(Article.updated_at))).one())


def _ticket_signature(session: Session) -> tuple[object, ...]:
    """What the resolved-ticket part of the classifiers depends on."""
    return tuple(
        session.exec(
            select(func.count(), func.max(Ticket.id)).where(col(Ticket.resolved_at).is_not(None))
        ).one()
    )


def classifiers(session: Session) -> tuple[Classifier, Classifier]:
    """The procedure and motif classifiers: rebuilt when the wiki changes, and when tickets
    were resolved since the last build, at most every REBUILD_INTERVAL_S."""
    database = str(session.get_bind().engine.url)
    articles = _article_signature(session)
    now = time.monotonic()
    with _lock:
        cached = _cache.get("current")
    if cached and cached.database == database and cached.articles == articles:
        if now - cached.checked_at < REBUILD_INTERVAL_S:
            return cached.procedures, cached.categories
        tickets = _ticket_signature(session)
        if tickets == cached.tickets:
            cached.checked_at = now
            return cached.procedures, cached.categories
    else:
        tickets = _ticket_signature(session)
    built = _build(session, database=database, articles=articles, tickets=tickets, now=now)
    with _lock:
        _cache["current"] = built
    return built.procedures, built.categories


def _build(
    session: Session,
    *,
    database: str,
    articles: tuple[object, ...],
    tickets: tuple[object, ...],
    now: float,
) -> _Built:
    """Build both classifiers from the published articles and recent resolved tickets."""
    procedure_examples: list[Example] = []
    for article in session.exec(select(Article).where(Article.status == "published")):
        procedure_examples += article_examples(
            title=article.title,
            tags=article.tags,
            procedures=article.procedures,
            summary=strip_markdown(article.body)[:300],
        )
    category_set = category_examples()
    for procedure, category, text in _resolved(session):
        if procedure:
            procedure_examples.append(Example(text, procedure))
        if category and category not in UNSET_CATEGORIES:
            category_set.append(Example(text, category))
    return _Built(
        database, articles, tickets, now, Classifier(procedure_examples), Classifier(category_set)
    )


def _resolved(session: Session) -> list[tuple[str | None, str | None, str]]:
    """Recent resolved tickets as labelled examples: (procedure, motif, text), in one query
    (each ticket's first requester message is a correlated subquery)."""
    first = (
        select(Message.body)
        .where(Message.ticket_id == Ticket.id, col(Message.kind).in_(QUESTION_KINDS))
        .order_by(col(Message.id))
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Ticket.procedure, Ticket.category, Ticket.subject, first)
        .where(col(Ticket.status).in_([Status.RESOLVED.value, Status.CLOSED.value]))
        .order_by(col(Ticket.id).desc())
        .limit(RESOLVED_EXAMPLES)
    ).all()
    return [(p, c, f"{subject} {(body or '')[:500]}") for p, c, subject, body in rows]


def needs_classification(ticket: Ticket) -> bool:
    """Whether the requester left the procedure or the motif open."""
    return not ticket.procedure or (ticket.category or "") in UNSET_CATEGORIES


def guess_text(session: Session, *, text: str) -> tuple[Guess, Guess]:
    """The procedure and motif suggested for a text."""
    procedures, categories = classifiers(session)
    return procedures.guess(text), categories.guess(text)


def classify_ticket(session: Session, *, ticket: Ticket) -> TicketClassification | None:
    """Store suggestions for a ticket; apply those confident enough to its empty fields."""
    if not needs_classification(ticket):
        return None
    text = f"{ticket.subject}\n{first_message(session, ticket)}"
    procedure, category = guess_text(session, text=text)
    row = session.get(TicketClassification, ticket.id) or TicketClassification(
        ticket_id=require_id(ticket)
    )
    row.procedure, row.procedure_confidence = procedure.label, procedure.confidence
    row.category, row.category_confidence = category.label, category.confidence
    if not ticket.procedure and procedure.confident:
        _apply(session, ticket, "procedure", procedure)
        row.applied = True
    if (ticket.category or "") in UNSET_CATEGORIES and category.confident:
        _apply(session, ticket, "category", category)
        row.applied = True
    session.add(row)
    return row


def _apply(session: Session, ticket: Ticket, field: str, guess: Guess) -> None:
    """Set a field from a confident guess, with its history line."""
    label = "Téléprocédure" if field == "procedure" else "Motif"
    record_event(
        session,
        ticket,
        None,
        kind=EventKind.CLASSIFIED,
        from_value=getattr(ticket, field),
        to_value=guess.label,
        reason=f"{label} déduit du texte (confiance {guess.confidence:.0%})",
        data={"field": field, "confidence": guess.confidence},
    )
    setattr(ticket, field, guess.label)


def accept_suggestion(session: Session, *, ticket: Ticket, actor_id: int | None) -> list[str]:
    """An agent applies the stored suggestions to the ticket; returns the fields changed."""
    row = session.get(TicketClassification, ticket.id)
    if row is None:
        return []
    changed = []
    for field, value in (("procedure", row.procedure), ("category", row.category)):
        if (
            value
            and getattr(ticket, field) != value
            and (field == "procedure" or (ticket.category or "") in UNSET_CATEGORIES)
        ):
            setattr(ticket, field, value)
            changed.append(field)
    row.applied = row.applied or bool(changed)
    session.add(row)
    return changed
