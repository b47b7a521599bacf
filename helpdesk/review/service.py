"""The point bimensuel: tickets still open between levels, grouped by queue and procedure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from dossiers.catalog import PROCEDURES_BY_CODE
from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.incidents.models import Incident, IncidentTicket
from helpdesk.policy import Action, ensure, visible_tickets
from helpdesk.review.models import ReviewMeeting
from helpdesk.review.timeline import time_per_level
from helpdesk.text_limits import REASON_MAX, check_lengths
from helpdesk.tickets.events import HANDOVER_KINDS, EventKind, event_label
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import Queue, Ticket, TicketEvent

REVIEW_QUEUES = ("dp-anef", "sdst")  # the levels the meeting follows (with the CCC)
MOVE_KINDS = HANDOVER_KINDS | {EventKind.CREATED, EventKind.ROUTED}
MAX_ROWS = 2_000


@dataclass(frozen=True)
class ReviewFilters:
    """Which tickets the review shows: all open ones, or those active since a moment."""

    since: datetime | None = None
    queue: str = ""
    procedure: str = ""


@dataclass
class ReviewRow:
    """One ticket of the review."""

    ticket: Ticket
    level: int
    age_days: int
    levels: dict[int, timedelta]
    last_action: str
    last_action_at: datetime | None
    last_actor: str
    incidents: list[str] = field(default_factory=list)


@dataclass
class ReviewGroup:
    """The tickets of one queue and one téléprocédure."""

    queue_name: str
    level: int
    procedure_label: str
    rows: list[ReviewRow] = field(default_factory=list)


def last_review(session: Session) -> ReviewMeeting | None:
    """The latest point bimensuel held."""
    return session.exec(select(ReviewMeeting).order_by(col(ReviewMeeting.held_at).desc())).first()


def hold_review(session: Session, *, actor: Agent, note: str = "") -> ReviewMeeting:
    """Record that the point bimensuel was held now (the next period starts)."""
    ensure(session, actor, Action.HOLD_REVIEW)
    note = note.replace("\0", "").strip()
    check_lengths({"note": (note, REASON_MAX)})
    meeting = ReviewMeeting(held_by_id=actor.id, note=note)
    session.add(meeting)
    session.flush()
    return meeting


def review(session: Session, *, agent: Agent, filters: ReviewFilters) -> list[ReviewGroup]:
    """The open tickets between levels, grouped by queue (level order) then procedure."""
    ensure(session, agent, Action.ATTEND_REVIEW)
    queues = {q.id: q for q in session.exec(select(Queue))}
    tickets = _tickets(session, agent, queues, filters)
    ids = [t.id for t in tickets if t.id is not None]
    events = _events(session, ids)
    incidents = _incidents(session, ids)
    levels = {q.code: q.level for q in queues.values()}
    now = utcnow()
    groups: dict[tuple[int, str, str], ReviewGroup] = {}
    for ticket in tickets:
        queue = queues[ticket.queue_id]
        label = _procedure_label(ticket.procedure)
        key = (queue.level, queue.name, label)
        group = groups.setdefault(key, ReviewGroup(queue.name, queue.level, label))
        group.rows.append(_row(ticket, queue, events.get(ticket.id or 0, []), levels, now))
        group.rows[-1].incidents = incidents.get(ticket.id or 0, [])
    return [groups[key] for key in sorted(groups)]


def _tickets(
    session: Session, agent: Agent, queues: dict[int | None, Queue], filters: ReviewFilters
) -> list[Ticket]:
    """Active tickets that went through DP ANEF or SDST and sit above level 1 or moved,
    among those the agent may see (a référent: its site's)."""
    codes = list(REVIEW_QUEUES)
    touching = select(TicketEvent.ticket_id).where(
        col(TicketEvent.kind).in_(MOVE_KINDS),
        or_(col(TicketEvent.from_value).in_(codes), col(TicketEvent.to_value).in_(codes)),
    )
    handed = select(TicketEvent.ticket_id).where(col(TicketEvent.kind).in_(HANDOVER_KINDS))
    upper = [q_id for q_id, q in queues.items() if q.level >= 2]
    review_ids = [q_id for q_id, q in queues.items() if q.code in codes]
    query = select(Ticket).where(
        visible_tickets(session, agent),
        is_active(),
        or_(col(Ticket.id).in_(touching), col(Ticket.queue_id).in_(review_ids)),
        or_(col(Ticket.queue_id).in_(upper), col(Ticket.id).in_(handed)),
    )
    if filters.since is not None:
        recent = select(TicketEvent.ticket_id).where(col(TicketEvent.at) >= filters.since)
        query = query.where(col(Ticket.id).in_(recent))
    if filters.queue:
        query = query.where(
            col(Ticket.queue_id).in_([i for i, q in queues.items() if q.code == filters.queue])
        )
    if filters.procedure:
        query = query.where(col(Ticket.procedure) == filters.procedure)
    return list(
        session.exec(query.order_by(col(Ticket.created_at), col(Ticket.id)).limit(MAX_ROWS)).all()
    )


def _events(session: Session, ids: list[int]) -> dict[int, list[TicketEvent]]:
    """The history of each ticket, in order."""
    grouped: dict[int, list[TicketEvent]] = defaultdict(list)
    if not ids:
        return grouped
    rows = session.exec(
        select(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)).order_by(col(TicketEvent.id))
    ).all()
    for event in rows:
        grouped[event.ticket_id].append(event)
    return grouped


def _incidents(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The incidents each ticket is linked to, as « INC-n titre (statut) »."""
    from helpdesk.incidents.service import status_label

    grouped: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return grouped
    rows = session.exec(
        select(IncidentTicket.ticket_id, Incident)
        .join(Incident, col(Incident.id) == col(IncidentTicket.incident_id))
        .where(col(IncidentTicket.ticket_id).in_(ids))
        .order_by(col(Incident.id))
    ).all()
    for ticket_id, incident in rows:
        grouped[ticket_id].append(
            f"INC-{incident.id} {incident.title} ({status_label(incident.status)})"
        )
    return grouped


def _row(
    ticket: Ticket, queue: Queue, events: list[TicketEvent], levels: dict[str, int], now: datetime
) -> ReviewRow:
    """One ticket's age, level, time per level and last action."""
    moves = [(e.at, e.to_value) for e in events if e.kind in MOVE_KINDS and e.to_value in levels]
    if not moves:
        moves = [(ticket.created_at, queue.code)]
    last = events[-1] if events else None
    return ReviewRow(
        ticket=ticket,
        level=queue.level,
        age_days=max((now - ticket.created_at).days, 0),
        levels=time_per_level([(at, code or "") for at, code in moves], now=now, levels=levels),
        last_action=event_label(last.kind) if last else "",
        last_action_at=last.at if last else None,
        last_actor=last.actor_label if last else "",
    )


def _procedure_label(code: str | None) -> str:
    """The label of a téléprocédure, or « Non précisée »."""
    procedure = PROCEDURES_BY_CODE.get(code or "")
    return procedure.label if procedure else "Non précisée"
