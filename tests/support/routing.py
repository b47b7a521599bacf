"""Builders for routing tests: sites, tickets routed as the job would, a controlled history."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from helpdesk.auth.models import Organisation
from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.ticket_routing.service import route_ticket
from helpdesk.tickets.models import Ticket, TicketEvent

from factories import make_ticket

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026 in Paris (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


def make_site(session: Session, code: str, kind: str) -> Organisation:
    """A préfecture or naturalisation platform."""
    site = Organisation(code=code, name=f"Site {code}", kind=kind)
    session.add(site)
    session.flush()
    return site


def routed_ticket(session: Session, **overrides: object) -> Ticket:
    """A ticket created, then routed as the job does after the commit."""
    ticket = make_ticket(session, **overrides)
    session.commit()
    route_ticket(session, ticket_id=ticket.id, trigger="created")  # type: ignore[arg-type]
    session.commit()
    session.refresh(ticket)
    return ticket


def set_history_times(session: Session, ticket: Ticket, times: dict[str, list[datetime]]) -> None:
    """Give the ticket's events chosen times (per kind, in order) and forget its clocks."""
    events = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(col(TicketEvent.id))
    ).all()
    queues = {kind: list(moments) for kind, moments in times.items()}
    for event in events:
        if queues.get(event.kind):
            event.at = queues[event.kind].pop(0)
        elif event.kind in ("routed", "classified"):
            event.at = times["created"][0]
        session.add(event)
    session.execute(delete(TicketSlaClock).where(col(TicketSlaClock.ticket_id) == ticket.id))
    session.commit()


def events_of(session: Session, ticket: Ticket, kind: str) -> list[TicketEvent]:
    """The ticket's events of one kind."""
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
            .order_by(col(TicketEvent.id))
        )
    )
