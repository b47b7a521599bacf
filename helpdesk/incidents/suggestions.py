"""Tickets that may belong to an incident: candidates the agent may see, ranked by
helpdesk.incidents.likeness (the suggestion engine's text processing and a calibrated
probability), each with the reasons an agent can check before ticking it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.incidents.likeness import ACCOUNT, CandidateText, IncidentText, Likeness, rank
from helpdesk.incidents.models import Incident, IncidentTicket
from helpdesk.policy import visible_tickets
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import Message, MessageKind, Ticket

LOOKBACK = timedelta(days=3)  # tickets opened a little before the incident was noticed
MAX_CANDIDATES = 500
MAX_SUGGESTIONS = 20
FIRST_MESSAGES = 2  # the requester's first messages say what the problem is
MESSAGE_CHARS = 1000


@dataclass(frozen=True)
class LinkSuggestion:
    """A ticket that may belong to the incident, with why it is proposed."""

    ticket: Ticket
    likeness: Likeness

    @property
    def score(self) -> float:
        """The calibrated probability, 0-100."""
        return round(self.likeness.probability * 100, 1)

    @property
    def category(self) -> str:
        """ "très proche" or "proche"."""
        return self.likeness.category

    @property
    def shared_words(self) -> tuple[str, ...]:
        """Words of the ticket that the incident also uses (as the ticket writes them)."""
        return self.likeness.shared_words

    @property
    def same_procedure(self) -> bool | None:
        """Same téléprocédure as the incident (None when either names none)."""
        return self.likeness.same_procedure

    @property
    def hours_after(self) -> float:
        """Hours between the incident's start and the ticket's opening (negative: before)."""
        return self.likeness.hours_after


def suggest_links(session: Session, *, incident: Incident, agent: Agent) -> list[LinkSuggestion]:
    """Active unlinked tickets the agent may see that likely belong to the incident."""
    tickets = _candidates(session, incident=incident, agent=agent)
    if not tickets:
        return []
    firsts = _first_messages(session, [t.id for t in tickets if t.id is not None])
    candidates = [
        CandidateText(
            key=t.id or 0,
            subject=t.subject,
            body=firsts.get(t.id or 0, ""),
            procedure=t.procedure,
            created_at=_aware(t.created_at),
        )
        for t in tickets
    ]
    by_id = {t.id: t for t in tickets}
    ranked = rank(_incident_text(incident), candidates)[:MAX_SUGGESTIONS]
    return [LinkSuggestion(ticket=by_id[s.key], likeness=s) for s in ranked]


def similarity(incident_text: str, ticket_text: str) -> float:
    """How likely (0-100) a ticket with this text belongs to an incident with that text."""
    now = datetime.now(UTC)
    query = IncidentText(incident_text, "", (), now)
    found = rank(query, [CandidateText(0, ticket_text, "", None, now)], threshold=0.0)
    return round(found[0].probability * 100, 1) if found else 0.0


def _candidates(session: Session, *, incident: Incident, agent: Agent) -> list[Ticket]:
    """Active tickets the agent may see, opened since the incident began, not yet linked."""
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
    # as likeness.procedure_allowed: a ticket without téléprocédure stays a candidate
    if incident.procedures and ACCOUNT not in incident.procedures:
        query = query.where(
            or_(col(Ticket.procedure).in_(incident.procedures), col(Ticket.procedure).is_(None))
        )
    return list(session.exec(query).all())


def _incident_text(incident: Incident) -> IncidentText:
    """The incident as the scorer reads it."""
    return IncidentText(
        title=incident.title,
        description=incident.description,
        procedures=tuple(incident.procedures),
        started_at=_aware(incident.started_at),
    )


def _aware(moment: datetime) -> datetime:
    """A timestamp with its time zone (SQLite gives naive UTC ones)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _first_messages(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The requester's first messages of each ticket, joined (each cut to 1,000 characters)."""
    if not ticket_ids:
        return {}
    rows = session.exec(
        select(Message.ticket_id, Message.body)
        .where(col(Message.ticket_id).in_(ticket_ids), Message.kind == MessageKind.REQUESTER)
        .order_by(col(Message.id))
    ).all()
    firsts: dict[int, list[str]] = {}
    for ticket_id, body in rows:
        bodies = firsts.setdefault(ticket_id, [])
        if len(bodies) < FIRST_MESSAGES:
            bodies.append(body[:MESSAGE_CHARS])
    return {ticket_id: "\n".join(bodies) for ticket_id, bodies in firsts.items()}
