"""What a batch of SLA checks reads once: the tickets, their histories and clocks, the chain.

Checking one ticket at a time cost about 26 statements (the queues, the policy, the calendar
and its closed days were read again for every clock). A batch locks its tickets and reads
their events and clocks in three statements, and the chain's settings once per run, so the
check of every active ticket stays within seconds at a million tickets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.ticket_routing.calendars import queue_calendar
from helpdesk.ticket_routing.models import SlaPolicy, TicketSlaClock
from helpdesk.ticket_routing.sla_digest import MissedTarget
from helpdesk.tickets.models import Queue, Ticket, TicketEvent
from routing.calendars import Calendar


@dataclass
class ChainSettings:
    """The queues and SLA policies of the chain, calendars and supervisors read as they are
    needed, and the targets missed during the run."""

    session: Session
    queues: dict[int, Queue]
    policies: dict[int, SlaPolicy]
    missed: list[MissedTarget] = field(default_factory=list)  # to tell the supervisors
    _calendars: dict[tuple[int, int | None], Calendar] = field(default_factory=dict)
    _supervisors: dict[int, list[Agent]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> ChainSettings:
        """Read every queue and policy (a few dozen rows)."""
        queues = {q.id: q for q in session.exec(select(Queue)) if q.id is not None}
        policies = {p.id: p for p in session.exec(select(SlaPolicy)) if p.id is not None}
        return cls(session=session, queues=queues, policies=policies)

    @cached_property
    def queues_by_code(self) -> dict[str, Queue]:
        """The queues by code (how the history names them)."""
        return {queue.code: queue for queue in self.queues.values()}

    def policy_for(self, queue_id: int, priority: str) -> SlaPolicy | None:
        """The policy of a queue at a priority, if the queue has one."""
        key = (queue_id, priority)
        found = (p for p in self.policies.values() if (p.queue_id, p.priority) == key)
        return next(found, None)

    def calendar(self, queue_id: int, site_id: int | None) -> Calendar:
        """The calendar a queue works by for a ticket of this site (read once per run)."""
        key = (queue_id, site_id)
        if key not in self._calendars:
            self._calendars[key] = queue_calendar(self.session, queue_id=queue_id, site_id=site_id)
        return self._calendars[key]

    def supervisors(self, queue: Queue) -> list[Agent]:
        """The active supervisors of the queue's organisation (read once per run)."""
        if queue.organisation_id not in self._supervisors:
            self._supervisors[queue.organisation_id] = supervisors_of(self.session, queue)
        return self._supervisors[queue.organisation_id]


def supervisors_of(session: Session, queue: Queue) -> list[Agent]:
    """The active supervisors of the queue's organisation."""
    return list(
        session.exec(
            select(Agent).where(
                Agent.organisation_id == queue.organisation_id,
                Agent.role == Role.SUPERVISOR,
                col(Agent.active).is_(True),
            )
        )
    )


class HistoryRow(NamedTuple):
    """A history line as the check reads it: the columns it needs, not an ORM object (a
    batch reads thousands of lines; loading them as objects was a third of its time)."""

    ticket_id: int
    at: datetime
    kind: str
    from_value: str | None
    to_value: str | None
    actor_id: int | None


@dataclass(frozen=True)
class TicketState:
    """A locked ticket with its history in order and its stored clocks."""

    ticket: Ticket
    events: list[HistoryRow]
    clocks: list[TicketSlaClock]


def lock_tickets(session: Session, ticket_ids: Sequence[int]) -> list[TicketState]:
    """Lock the tickets (in id order, so concurrent batches cannot deadlock) and read their
    events and clocks, fresh from the database."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return []
    tickets = session.exec(
        select(Ticket)
        .where(col(Ticket.id).in_(ids))
        .order_by(col(Ticket.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    events: dict[int, list[HistoryRow]] = defaultdict(list)
    for row in session.execute(
        sa_select(
            col(TicketEvent.ticket_id),
            col(TicketEvent.at),
            col(TicketEvent.kind),
            col(TicketEvent.from_value),
            col(TicketEvent.to_value),
            col(TicketEvent.actor_id),
        )
        .where(col(TicketEvent.ticket_id).in_(ids))
        .order_by(col(TicketEvent.ticket_id), col(TicketEvent.at), col(TicketEvent.id))
    ):
        line = HistoryRow._make(row)
        events[line.ticket_id].append(line)
    clocks: dict[int, list[TicketSlaClock]] = defaultdict(list)
    for clock in session.exec(
        select(TicketSlaClock)
        .where(col(TicketSlaClock.ticket_id).in_(ids))
        .order_by(col(TicketSlaClock.id))
        .execution_options(populate_existing=True)
    ):
        clocks[clock.ticket_id].append(clock)
    return [
        TicketState(ticket, events[ticket.id], clocks[ticket.id])  # type: ignore[index]
        for ticket in tickets
    ]
