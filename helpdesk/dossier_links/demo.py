"""Demo data: link the demo tickets to the demo dossiers of their requesters."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dossiers.reference.demo import demo_links
from helpdesk.tickets.models import Ticket


def link_demo_tickets(session: Session) -> int:
    """Give each demo ticket of usagerN@example.org that usager's demo dossier number."""
    links = demo_links()
    tickets = session.exec(
        select(Ticket)
        .where(col(Ticket.requester_email).in_(list(links)))
        .where(col(Ticket.dossier_number).is_(None))
    ).all()
    for ticket in tickets:
        ticket.dossier_number = links[str(ticket.requester_email)]
        session.add(ticket)
    session.flush()
    return len(tickets)
