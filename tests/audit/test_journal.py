"""The audit journal page: filters in the URL, pages newest first, and its CSV export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlmodel import col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.queries import PAGE_SIZE
from helpdesk.audit.service import Actor, Target, record
from helpdesk.auth.models import Agent, Role

from conftest import WebClient
from factories import make_agent, make_ticket


def world(web: WebClient) -> tuple[Agent, Agent, int, str]:
    """An administrator (signed in), an agent, a ticket, and a few audit rows."""
    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        advisor = make_agent(session)
        ticket = make_ticket(session)
        camille = Actor(id=advisor.id, label=advisor.full_name, address="10.0.0.7")
        record(session, AuditKind.TICKET_VIEWED, camille, Target(ticket_id=ticket.id))
        record(session, AuditKind.EXPORTED, camille, Target(detail={"export": "test"}))
        old = AuditEvent(
            kind=AuditKind.SIGN_IN.value,
            actor_id=advisor.id,
            actor_label=advisor.full_name,
            address="10.0.0.7",
            at=datetime(2025, 1, 15, 9, tzinfo=UTC),
        )
        session.add(old)
        session.commit()
    web.sign_in(admin.email)
    return admin, advisor, ticket.id, ticket.reference  # type: ignore[return-value]


def shown_kinds(text: str) -> list[str]:
    """The kinds of the rows a journal page shows, top to bottom."""
    return re.findall(r'data-kind="([a-z_]+)"', text)


def test_the_journal_filters_by_person_ticket_kind_and_period(any_web: WebClient):
    _, advisor, ticket_id, reference = world(any_web)
    page = any_web.client.get("/admin/journal")
    assert page.status_code == 200
    kinds = shown_kinds(page.text)
    assert kinds[0] == "sign_in"  # newest first: the administrator's own sign-in
    assert {"ticket_viewed", "exported"} <= set(kinds)
    assert "10.0.0.7" in page.text and advisor.full_name in page.text
    assert shown_kinds(any_web.client.get(f"/admin/journal?personne={advisor.id}").text) == [
        "exported",
        "ticket_viewed",
        "sign_in",
    ]
    by_reference = any_web.client.get(f"/admin/journal?ticket={reference.lower()}").text
    assert shown_kinds(by_reference) == ["ticket_viewed"]
    assert f'href="/tickets/{ticket_id}"' in by_reference
    assert shown_kinds(any_web.client.get(f"/admin/journal?ticket={ticket_id}").text) == [
        "ticket_viewed"
    ]
    assert shown_kinds(any_web.client.get("/admin/journal?type=exported").text) == ["exported"]
    period = any_web.client.get("/admin/journal?du=01/01/2025&au=2025-01-31").text
    assert shown_kinds(period) == ["sign_in"]
    assert "15/01/2025" in period  # shown in Paris time


def test_bad_filters_are_explained_beside_their_field_and_not_applied(any_web: WebClient):
    world(any_web)
    response = any_web.client.get(
        "/admin/journal?personne=abc&ticket=ANEF-1999-000001&type=inconnu&du=31/02/2026&au=x"
    )
    assert response.status_code == 200
    for name in ("personne", "ticket", "type", "du", "au"):
        assert f'id="{name}-erreur"' in response.text, name
    assert 'value="ANEF-1999-000001"' in response.text  # what was typed stays
    assert len(shown_kinds(response.text)) >= 4  # nothing narrowed on a value not understood
    reversed_period = any_web.client.get("/admin/journal?du=2026-03-31&au=2026-03-01")
    assert "précède la date de début" in reversed_period.text


def test_pages_go_from_newest_to_oldest_without_overlap(web: WebClient):
    _, advisor, _, _ = world(web)
    with web.session() as session:
        actor = Actor(id=advisor.id, label=advisor.full_name, address="10.0.0.8")
        for number in range(PAGE_SIZE + 5):
            record(session, AuditKind.PRINTED, actor, Target(object_id=str(number)))
        session.commit()
    first = web.client.get("/admin/journal?type=printed").text
    next_link = re.search(r'href="(/admin/journal\?[^"]+)" data-testid="journal-next"', first)
    assert next_link and "avant=" in next_link.group(1)
    second = web.client.get(next_link.group(1).replace("&amp;", "&")).text
    ids_first = re.findall(r'data-audit="(\d+)"', first)
    ids_second = re.findall(r'data-audit="(\d+)"', second)
    assert len(ids_first) == PAGE_SIZE and len(ids_second) == 5
    assert not set(ids_first) & set(ids_second)
    assert [int(i) for i in ids_first + ids_second] == sorted(
        (int(i) for i in ids_first + ids_second), reverse=True
    )
    assert "55 événements" in first


def test_the_csv_export_follows_the_filters_and_is_itself_audited(any_web: WebClient):
    admin, advisor, _, reference = world(any_web)
    response = any_web.client.get(f"/admin/journal/export.csv?personne={advisor.id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Date (heure de Paris);Événement;Personne")
    assert len(lines) == 4  # the header and the agent's three rows
    assert any(reference in line and "Ticket consulté" in line for line in lines)
    assert admin.full_name not in response.text  # the administrator's own rows are filtered out
    any_web.client.app.state.audit.wait()
    with any_web.session() as session:
        (export,) = session.exec(
            select(AuditEvent)
            .where(AuditEvent.kind == AuditKind.EXPORTED.value, AuditEvent.actor_id == admin.id)
            .order_by(col(AuditEvent.id))
        ).all()
    assert export.object_id == "journal"
    assert export.detail == {
        "export": "journal",
        "filters": {"personne": str(advisor.id)},
        "rows": 3,
    }


def test_the_journal_is_for_administrators_only(web: WebClient):
    world(web)
    with web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR, email="chef@ccc.test")
        session.commit()
    web.client.cookies.clear()
    web.sign_in(supervisor.email)
    assert web.client.get("/admin/journal").status_code == 403
    assert web.client.get("/admin/journal/export.csv").status_code == 403
