"""KB gaps: recent tickets the knowledge base could not answer, grouped by similar subject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.kb.index import LiveIndex
from helpdesk.policy import visible_tickets
from helpdesk.policy.articles import ALL_AUDIENCES
from helpdesk.tickets.models import QUESTION_KINDS, Message, Ticket
from knowledge_base.clusters import cluster_texts
from knowledge_base.engine import MIN_SCORE

WINDOW = timedelta(days=30)
MAX_TICKETS = 2000
GAP_THRESHOLD = MIN_SCORE  # a best suggestion below this is no answer at all


@dataclass(frozen=True)
class GapTicket:
    """A ticket without a good enough article, and its best score (0 when none)."""

    id: int
    reference: str
    subject: str
    best_score: float


@dataclass(frozen=True)
class Gap:
    """Tickets with similar subjects that no article answers."""

    label: str
    tickets: tuple[GapTicket, ...]

    @property
    def count(self) -> int:
        """How many tickets the gap holds."""
        return len(self.tickets)


def kb_gaps(
    session: Session,
    *,
    live: LiveIndex,
    reader: Agent,
    days: int = WINDOW.days,
    threshold: float = GAP_THRESHOLD,
) -> list[Gap]:
    """Recent tickets the reader may see whose best suggestion scored below the threshold,
    grouped by subject."""
    index = live.get(session)
    gaps: list[GapTicket] = []
    for ticket_id, reference, subject, first_message in _recent_tickets(session, reader, days):
        found = index.suggest(
            f"{subject}\n{first_message}", audiences=set(ALL_AUDIENCES), limit=1, prior={}
        )
        best = found[0].score if found else 0.0
        if best < threshold:
            gaps.append(GapTicket(ticket_id, reference, subject, best))
    by_id = {g.id: g for g in gaps}
    clusters = cluster_texts([(g.id, g.subject) for g in gaps])
    return [Gap(c.label, tuple(by_id[i] for i in c.members)) for c in clusters]


def _recent_tickets(session: Session, reader: Agent, days: int) -> list[tuple[int, str, str, str]]:
    """(id, reference, subject, first requester message) of the reader's recent tickets."""
    since = utcnow() - timedelta(days=days)
    first = (
        select(Message.ticket_id, func.min(Message.id).label("message_id"))
        .where(col(Message.kind).in_(QUESTION_KINDS))
        .group_by(col(Message.ticket_id))
        .subquery()
    )
    rows = session.exec(
        select(Ticket.id, Ticket.reference, Ticket.subject, Message.body)
        .join(first, first.c.ticket_id == Ticket.id, isouter=True)
        .join(Message, col(Message.id) == first.c.message_id, isouter=True)
        .where(col(Ticket.created_at) >= since, visible_tickets(session, reader))
        .order_by(col(Ticket.created_at).desc())
        .limit(MAX_TICKETS)
    ).all()
    return [(int(i or 0), ref, subject, body or "") for i, ref, subject, body in rows]
