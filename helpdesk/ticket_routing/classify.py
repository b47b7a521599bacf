"""Classification from the wiki and resolved tickets: suggestions, applied when confident."""

from __future__ import annotations

import threading

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.db import require_id
from helpdesk.kb.models import Article
from helpdesk.ticket_routing.facts import first_message
from helpdesk.ticket_routing.models import TicketClassification
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Status, Ticket
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
UNSET_CATEGORIES = frozenset({"", "autre"})
_cache: dict[str, tuple[tuple[object, ...], Classifier, Classifier]] = {}
_lock = threading.Lock()


def _signature(session: Session) -> tuple[object, ...]:
    """What the classifiers depend on; a change rebuilds them."""
    articles = session.exec(select(func.count(), func.max(Article.updated_at))).one()
    tickets = session.exec(
        select(func.count(), func.max(Ticket.id)).where(col(Ticket.resolved_at).is_not(None))
    ).one()
    return (*articles, *tickets)


def classifiers(session: Session) -> tuple[Classifier, Classifier]:
    """The procedure and motif classifiers, rebuilt when the wiki or resolved tickets change."""
    signature = _signature(session)
    with _lock:
        cached = _cache.get("current")
        if cached and cached[0] == signature:
            return cached[1], cached[2]
    procedure_examples: list[Example] = []
    for article in session.exec(select(Article).where(Article.status == "published")):
        procedure_examples += article_examples(
            title=article.title,
            tags=article.tags,
            procedures=article.procedures,
            summary=strip_markdown(article.body)[:300],
        )
    category_set = category_examples()
    for ticket, text in _resolved(session):
        if ticket.procedure:
            procedure_examples.append(Example(text, ticket.procedure))
        if ticket.category and ticket.category not in UNSET_CATEGORIES:
            category_set.append(Example(text, ticket.category))
    built = (Classifier(procedure_examples), Classifier(category_set))
    with _lock:
        _cache["current"] = (signature, *built)
    return built


def _resolved(session: Session) -> list[tuple[Ticket, str]]:
    """Recent resolved tickets with their text, as labelled examples."""
    tickets = session.exec(
        select(Ticket)
        .where(col(Ticket.status).in_([Status.RESOLVED.value, Status.CLOSED.value]))
        .order_by(col(Ticket.id).desc())
        .limit(RESOLVED_EXAMPLES)
    ).all()
    return [(t, f"{t.subject} {first_message(session, t)[:500]}") for t in tickets]


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
