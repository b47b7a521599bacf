"""A requester's other tickets: same e-mail (any case) or same numéro étranger.

Only the tickets the agent may see (helpdesk.policy.visible_tickets); read through the
indexes on lower(requester_email) and requester_foreign_number; newest first, capped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from dossiers.catalog import is_foreign_number
from helpdesk.auth.models import Agent
from helpdesk.policy import visible_tickets
from helpdesk.tickets.models import Queue, Ticket

LIMIT = 20


@dataclass(frozen=True)
class PastTicket:
    """One line of the requester history."""

    id: int
    reference: str
    subject: str
    status: str
    created_at: datetime
    queue_name: str


@dataclass(frozen=True)
class RequesterHistory:
    """The requester's other tickets (at most LIMIT) and how many there are in all."""

    tickets: list[PastTicket]
    total: int
    searched: bool = True

    def __iter__(self) -> Iterator[PastTicket]:
        """The lines, so that templates may loop over the history itself."""
        return iter(self.tickets)

    def __len__(self) -> int:
        """How many lines are shown."""
        return len(self.tickets)


NOTHING = RequesterHistory(tickets=[], total=0, searched=False)


def for_ticket(session: Session, agent: Agent, ticket: Ticket) -> RequesterHistory:
    """The other tickets of this ticket's requester that the agent may see."""
    return for_requester(
        session,
        agent,
        email=ticket.requester_email,
        foreign_number=ticket.requester_foreign_number,
        excluding=ticket.id,
    )


def for_requester(
    session: Session,
    agent: Agent,
    *,
    email: str | None,
    foreign_number: str | None,
    excluding: int | None = None,
) -> RequesterHistory:
    """The tickets of this e-mail or numéro étranger that the agent may see, newest first."""
    same_requester = _same_requester(email, foreign_number)
    if same_requester is None:
        return NOTHING
    condition = same_requester & visible_tickets(session, agent)
    if excluding is not None:
        condition = condition & (col(Ticket.id) != excluding)
    total = session.exec(select(func.count()).select_from(Ticket).where(condition)).one()
    rows = session.exec(
        select(Ticket, Queue.name)
        .join(Queue, col(Queue.id) == col(Ticket.queue_id))
        .where(condition)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(LIMIT)
    ).all()
    tickets = [
        PastTicket(
            id=int(ticket.id or 0),
            reference=ticket.reference,
            subject=ticket.subject,
            status=ticket.status,
            created_at=ticket.created_at,
            queue_name=queue_name,
        )
        for ticket, queue_name in rows
    ]
    return RequesterHistory(tickets=tickets, total=int(total))


def _same_requester(email: str | None, foreign_number: str | None) -> ColumnElement[bool] | None:
    """The condition "same e-mail or same numéro étranger" (None without a usable one)."""
    parts: list[ColumnElement[bool]] = []
    email = (email or "").strip().lower()
    if "@" in email:
        parts.append(func.lower(Ticket.requester_email) == email)
    number = (foreign_number or "").strip()
    if is_foreign_number(number):
        parts.append(col(Ticket.requester_foreign_number) == number)
    return or_(*parts) if parts else None
