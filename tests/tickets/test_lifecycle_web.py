"""The lifecycle through the web layer, on SQLite and PostgreSQL: hand-over, merge, closing."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from helpdesk.intake.service import LINK_LIFETIME_AFTER_CLOSE, issue_link, link_expired
from helpdesk.tickets import lifecycle
from helpdesk.tickets.models import Status, Ticket, TicketEvent

from conftest import WebClient
from factories import make_agent, make_ticket


def _status_changes(web: WebClient, ticket_id: int) -> list[tuple[str, str]]:
    """The status changes the ticket's history records, in order."""
    with web.session() as session:
        events = list(
            session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(col(TicketEvent.id))
            )
        )
    return [change for change in lifecycle.status_changes(events) if change is not None]


def _ticket(web: WebClient, ticket_id: int) -> Ticket:
    with web.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


def test_a_hand_over_opens_a_new_ticket_with_one_history_line(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    any_web.sign_in(advisor.email)
    response = any_web.post_form(
        f"/tickets/{ticket.id}/handover",
        {
            "to_queue": "dp-anef",
            "reason": "Erreur technique",
            "checked": "Compte vérifié",
            "question": "Pourquoi l'erreur ?",
            "version": str(ticket.version),
        },
        page=f"/tickets/{ticket.id}",
    )
    assert response.status_code == 303
    after = _ticket(any_web, ticket.id)
    assert after.status == Status.OPEN and after.version > ticket.version
    assert _status_changes(any_web, ticket.id) == [(Status.NEW, Status.OPEN)]


def test_resolving_then_closing_sets_each_time_once(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    any_web.sign_in(advisor.email)
    versions = [ticket.version]
    for status in (Status.RESOLVED, Status.CLOSED):
        response = any_web.post_form(
            f"/tickets/{ticket.id}/status",
            {"status": status, "version": str(versions[-1])},
            page=f"/tickets/{ticket.id}",
        )
        assert response.status_code == 303
        versions.append(_ticket(any_web, ticket.id).version)
    closed = _ticket(any_web, ticket.id)
    assert versions == sorted(set(versions))  # strictly increasing
    assert closed.resolved_at is not None and closed.closed_at is not None
    assert _status_changes(any_web, ticket.id) == [
        (Status.NEW, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
    ]
    # A refused move (a closed ticket cannot reopen) changes nothing and says why.
    refused = any_web.post_form(
        f"/tickets/{ticket.id}/status",
        {"status": Status.OPEN, "version": str(closed.version)},
        page=f"/tickets/{ticket.id}",
    )
    assert refused.status_code == 422 and 'data-testid="refusal"' in refused.text
    assert _ticket(any_web, ticket.id).version == closed.version


def test_a_merged_ticket_is_closed_and_its_link_expires_like_any_closed_ticket(
    any_web: WebClient,
):
    with any_web.session() as session:
        advisor = make_agent(session)
        duplicate = make_ticket(session, requester_email="meme@example.org")
        survivor = make_ticket(session, requester_email="meme@example.org")
        token = issue_link(session, ticket=duplicate)
        session.commit()
    any_web.sign_in(advisor.email)
    response = any_web.post_form(
        f"/tickets/{duplicate.id}/fusion",
        {"reference": survivor.reference, "reason": "Doublon"},
        page=f"/tickets/{duplicate.id}",
    )
    assert response.status_code == 303
    merged = _ticket(any_web, duplicate.id)
    assert merged.status == Status.CLOSED and merged.closed_at is not None
    assert merged.merged_into_id == survivor.id
    assert len(_status_changes(any_web, duplicate.id)) == 1
    any_web.client.cookies.clear()
    assert any_web.client.get(f"/suivi/{token}").status_code == 200  # still readable for now
    end = merged.closed_at + LINK_LIFETIME_AFTER_CLOSE
    assert not link_expired(merged, now=end - timedelta(days=1))
    assert link_expired(merged, now=end + timedelta(days=1))
