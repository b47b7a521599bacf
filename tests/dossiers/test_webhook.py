"""The dossier events webhook: signatures, stale timestamps, validation, replays, effects."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from dossiers.signing import signed_headers
from helpdesk.dossier_links.models import DossierEventReceipt
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.models import Message, Status, TicketEvent
from helpdesk.tickets.service import change_status

from factories import make_agent, make_ticket
from support.api_keys import partner_headers
from support.dossier_service import EVENTS_SECRET, demo

URL = "/api/v1/dossier-events"


def event(number: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "event_id": f"evt-{time.monotonic_ns()}",
        "type": "dossier.status_changed",
        "occurred_at": datetime.now(UTC).isoformat(),
        "dossier_number": number,
        "procedure": "etudiant",
        "from_status": "titre_en_fabrication",
        "to_status": "titre_disponible",
        "contact_email": "awa.traore@example.org",
    }
    values.update(overrides)
    return values


def post(web, payload: Any, *, secret: str = EVENTS_SECRET, now: float | None = None, headers=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signed = signed_headers(secret, body, now=now)
    if headers is not None:
        signed = headers
    return web.client.post(
        URL, content=body, headers={**signed, "content-type": "application/json"}
    )


def ticket_on(web, number: str, *, waiting: bool = False, email: str = "awa.traore@example.org"):
    with web.session() as session:
        agent = make_agent(session)
        ticket = make_ticket(session, dossier_number=number, requester_email=email)
        if waiting:
            change_status(session, ticket_id=ticket.id, status=Status.OPEN, actor=agent)
            change_status(session, ticket_id=ticket.id, status=Status.WAITING, actor=agent)
        session.commit()
        return ticket.id, agent


def history(web, ticket_id: int, kind: str) -> list[TicketEvent]:
    with web.session() as session:
        return list(
            session.exec(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind
                )
            ).all()
        )


def test_missing_bad_or_stale_signatures_are_refused(dossier_web):
    number = demo("titre_en_fabrication").number
    ticket_id, _agent = ticket_on(dossier_web, number)
    payload = event(number)
    assert post(dossier_web, payload, headers={}).status_code == 401
    assert post(dossier_web, payload, secret="not-the-secret").status_code == 401
    stale = post(dossier_web, payload, now=time.time() - 3600)
    assert stale.status_code == 401
    assert stale.headers["content-type"].startswith("application/problem+json")
    body = json.dumps(payload).encode()
    tampered = signed_headers(EVENTS_SECRET, body)
    response = dossier_web.client.post(
        URL, content=body.replace(b"titre_disponible", b"remis"), headers=tampered
    )
    assert response.status_code == 401
    assert history(dossier_web, ticket_id, "dossier_status") == []


def test_malformed_events_are_422_with_details(dossier_web):
    response = post(dossier_web, event("123", to_status=""))
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"dossier_number", "to_status"} <= fields
    assert post(dossier_web, b"{pas du json").status_code == 422


def test_an_event_goes_into_the_history_of_open_tickets_once(dossier_web):
    number = demo("titre_en_fabrication").number
    ticket_id, _agent = ticket_on(dossier_web, number)
    payload = event(number)
    first = post(dossier_web, payload)
    assert first.status_code == 202
    assert first.json() == {"status": "applied", "tickets": 1}
    again = post(dossier_web, payload)
    assert again.status_code == 202
    assert again.json()["status"] == "duplicate"
    lines = history(dossier_web, ticket_id, "dossier_status")
    assert len(lines) == 1
    assert (lines[0].from_value, lines[0].to_value) == ("Titre en fabrication", "Titre disponible")
    assert lines[0].actor_label == "Dossiers ANEF"


def test_unknown_dossiers_are_accepted_and_ignored(dossier_web):
    response = post(dossier_web, event("9999202501010009999"))
    assert response.status_code == 202
    assert response.json() == {"status": "ignored", "tickets": 0}
    with dossier_web.session() as session:
        receipt = session.exec(select(DossierEventReceipt)).one()
    assert receipt.outcome == "ignored"


def test_a_waiting_ticket_gets_a_note_a_mail_and_a_proposed_reply(dossier_web):
    number = demo("titre_en_fabrication").number
    ticket_id, agent = ticket_on(dossier_web, number, waiting=True)
    assert post(dossier_web, event(number)).json()["status"] == "applied"
    with dossier_web.session() as session:
        notes = session.exec(select(Message).where(Message.ticket_id == ticket_id)).all()
        mails = session.exec(select(OutgoingMail).where(OutgoingMail.ticket_id == ticket_id)).all()
    note = [m for m in notes if m.kind == "internal_note"][-1]
    assert "Titre disponible" in note.body and "Réponse proposée" in note.body
    assert "Bonjour Awa Traoré" in note.body and "timbre fiscal" in note.body
    assert [mail.recipient for mail in mails] == [agent.email]
    alert = history(dossier_web, ticket_id, "dossier_alert")[0]
    assert "rendez-vous" in alert.data["proposed_reply"]


def test_no_reply_is_proposed_when_the_email_does_not_match(dossier_web):
    number = demo("titre_en_fabrication").number
    ticket_id, _agent = ticket_on(dossier_web, number, waiting=True, email="autre@example.org")
    post(dossier_web, event(number))
    alert = history(dossier_web, ticket_id, "dossier_alert")[0]
    assert alert.data["proposed_reply"] is None
    with dossier_web.session() as session:
        note = session.exec(
            select(Message).where(Message.ticket_id == ticket_id, Message.kind == "internal_note")
        ).one()
    assert "ne correspond pas" in note.body and "Bonjour" not in note.body


def test_a_non_notable_move_or_an_open_ticket_raises_no_alert(dossier_web):
    number = demo("verification").number
    waiting_id, _agent = ticket_on(dossier_web, number, waiting=True)
    post(dossier_web, event(number, from_status="verification", to_status="instruction"))
    assert history(dossier_web, waiting_id, "dossier_status")
    assert history(dossier_web, waiting_id, "dossier_alert") == []
    other = demo("titre_en_fabrication").number
    open_id, _agent = ticket_on(dossier_web, other)
    post(dossier_web, event(other))
    assert history(dossier_web, open_id, "dossier_alert") == []


def test_webhook_is_closed_without_a_secret(web):
    headers = {"content-type": "application/json", **partner_headers(web)}
    response = web.client.post(URL, content=b"{}", headers=headers)
    assert response.status_code == 503
