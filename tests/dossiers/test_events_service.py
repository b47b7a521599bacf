"""receive_event on SQLite and PostgreSQL: once per id, closed tickets left alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from dossiers.model import DossierEvent
from helpdesk.dossier_links.events import receive_event
from helpdesk.tickets.models import Status, TicketEvent
from helpdesk.tickets.service import change_status

from factories import make_agent, make_ticket

NUMBER = "7501202501010000001"


def an_event(event_id: str = "evt-0000000001") -> DossierEvent:
    return DossierEvent(
        event_id=event_id,
        occurred_at=datetime.now(UTC),
        dossier_number=NUMBER,
        procedure="vie-privee-familiale",
        from_status="instruction",
        to_status="complements_demandes",
    )


def test_each_event_id_counts_once(session):
    ticket = make_ticket(session, dossier_number=NUMBER)
    assert receive_event(session, event=an_event()) == ("applied", 1)
    assert receive_event(session, event=an_event()) == ("duplicate", 0)
    assert receive_event(session, event=an_event("evt-0000000002")) == ("applied", 1)
    session.commit()
    lines = session.exec(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "dossier_status"
        )
    ).all()
    assert len(lines) == 2
    assert lines[0].to_value == "Compléments demandés"


def test_closed_tickets_are_left_alone(session):
    agent = make_agent(session)
    ticket = make_ticket(session, dossier_number=NUMBER)
    for status in (Status.OPEN, Status.RESOLVED, Status.CLOSED):
        change_status(session, ticket_id=ticket.id, status=status, actor=agent)
    assert receive_event(session, event=an_event()) == ("ignored", 0)
