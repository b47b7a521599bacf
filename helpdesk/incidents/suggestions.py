"""Tickets that look like an incident, by text similarity (rapidfuzz) to its description."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rapidfuzz import fuzz, utils
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.incidents.models import Incident, IncidentTicket
from helpdesk.policy import visible_tickets
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import Message, MessageKind, Ticket

MIN_SCORE = 60.0
LOOKBACK = timedelta(days=3)  # tickets opened a little before the incident was noticed
MAX_CANDIDATES = 500
MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class LinkSuggestion:
    """A ticket that may belong to the incident, with its similarity score (0-100)."""

    ticket: Ticket
    score: float


def similarity(incident_text: str, ticket_text: str) -> float:
    """How alike two texts are, 0-100, tolerant to word order, typos and extra words."""
    left, right = utils.default_process(incident_text), utils.default_process(ticket_text)
    if not left or not right:
        return 0.0
    return float(max(fuzz.WRatio(left, right), fuzz.token_set_ratio(left, right)))


def suggest_links(session: Session, *, incident: Incident, agent: Agent) -> list[LinkSuggestion]:
    """Active unlinked tickets the agent may see whose text resembles the incident's."""
    already = select(IncidentTicket.ticket_id).where(IncidentTicket.incident_id == incident.id)
    query = (
        select(Ticket)
        .where(visible_tickets(session, agent))
        .where(is_active())
        .where(col(Ticket.created_at) >= incident.started_at - LOOKBACK)
        .where(col(Ticket.id).not_in(already))
        .order_by(col(Ticket.created_at).desc())
        .limit(MAX_CANDIDATES)
    )
    if incident.procedures:
        query = query.where(col(Ticket.procedure).in_(incident.procedures))
    tickets = list(session.exec(query).all())
    firsts = _first_messages(session, [t.id for t in tickets if t.id is not None])
    reference_text = f"{incident.title} {incident.description}"
    scored = [
        LinkSuggestion(
            ticket=t, score=similarity(reference_text, f"{t.subject} {firsts.get(t.id or 0, '')}")
        )
        for t in tickets
    ]
    kept = [s for s in scored if s.score >= MIN_SCORE]
    return sorted(kept, key=lambda s: (-s.score, s.ticket.id or 0))[:MAX_SUGGESTIONS]


def _first_messages(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The requester's first message of each ticket (its first 1,000 characters)."""
    if not ticket_ids:
        return {}
    rows = session.exec(
        select(Message.ticket_id, Message.body)
        .where(col(Message.ticket_id).in_(ticket_ids), Message.kind == MessageKind.REQUESTER)
        .order_by(col(Message.id))
    ).all()
    firsts: dict[int, str] = {}
    for ticket_id, body in rows:
        firsts.setdefault(ticket_id, body[:1000])
    return firsts
