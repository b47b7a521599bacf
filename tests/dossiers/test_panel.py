"""The ticket's dossier panel, attaching a dossier and finding one by numéro étranger."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlmodel import select

from helpdesk.auth.models import Role
from helpdesk.tickets.models import Ticket, TicketEvent

from conftest import WebClient, make_settings
from factories import make_agent, make_ticket
from support.dossier_service import demo
from support.servers import free_port

HX = {"HX-Request": "true"}


def signed_in_with_ticket(web: WebClient, **ticket_values):
    with web.session() as session:
        agent = make_agent(session)
        ticket = make_ticket(session, **ticket_values)
        session.commit()
    web.sign_in(agent.email)
    return ticket, agent


def test_the_panel_shows_status_timeline_documents_and_attestations(dossier_web):
    dossier = demo("complements_demandes")
    ticket, _agent = signed_in_with_ticket(
        dossier_web, dossier_number=dossier.number, requester_email=dossier.contact_email
    )
    response = dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX)
    assert response.status_code == 200
    html = response.text
    assert 'data-testid="dossier-status">Compléments demandés' in html
    assert "En instruction" in html and "Déposé" in html  # the timeline
    assert dossier.documents_requested[0].label.replace("'", "&#39;") in html
    assert "Attestation de prolongation d&#39;instruction" in html
    assert "dossier-email-mismatch" not in html
    assert "<html" not in html  # a fragment


def test_an_expired_or_ending_attestation_is_highlighted(dossier_web):
    later = "6701202503030000003"  # usager3's: title available, no prolongation alert
    ticket, _agent = signed_in_with_ticket(dossier_web, dossier_number=later)
    html = dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX).text
    assert 'data-testid="attestation-alert"' not in html
    pinned = "7501202501010000001"  # usager1's dossier: expired two days ago
    ticket, _agent = signed_in_with_ticket(dossier_web, dossier_number=pinned)
    html = dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX).text
    assert 'data-testid="attestation-alert"' in html and "expirée depuis le" in html
    soon = "9301202505050000005"  # usager5's: ends in nine days
    ticket, _agent = signed_in_with_ticket(dossier_web, dossier_number=soon)
    html = dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX).text
    assert "moins de 15 jours" in html


def test_a_mismatching_email_is_flagged_to_the_agent(dossier_web):
    dossier = demo("instruction")
    ticket, _agent = signed_in_with_ticket(
        dossier_web, dossier_number=dossier.number, requester_email="quelquun@example.org"
    )
    html = dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX).text
    assert "dossier-email-mismatch" in html


def test_without_javascript_the_panel_is_a_page(dossier_web):
    dossier = demo("depose")
    ticket, _agent = signed_in_with_ticket(dossier_web, dossier_number=dossier.number)
    page = dossier_web.client.get(f"/tickets/{ticket.id}")
    assert f'hx-get="/tickets/{ticket.id}/dossier"' in page.text
    assert f'href="/tickets/{ticket.id}/dossier"' in page.text
    full = dossier_web.client.get(f"/tickets/{ticket.id}/dossier")
    assert "<html" in full.text and "Retour au ticket" in full.text


def test_agents_who_may_not_read_the_ticket_get_the_same_404(dossier_web):
    with dossier_web.session() as session:
        ticket = make_ticket(session, dossier_number=demo("depose").number)
        outsider = make_agent(session, organisation="sdst", queues=("sdst",))
        session.commit()
    dossier_web.sign_in(outsider.email)
    assert dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX).status_code == 404
    assert dossier_web.client.get("/tickets/999999/dossier", headers=HX).status_code == 404
    response = dossier_web.post_form(
        f"/tickets/{ticket.id}/dossier", {"number": demo("depose").number}, page="/"
    )
    assert response.status_code == 404


def test_attach_by_number(dossier_web):
    ticket, _agent = signed_in_with_ticket(dossier_web)
    dossier = demo("remis")
    spaced = f"{dossier.number[:4]} {dossier.number[4:]}"
    response = dossier_web.post_form(
        f"/tickets/{ticket.id}/dossier", {"number": spaced, "version": 1}, page="/"
    )
    assert response.status_code == 303
    with dossier_web.session() as session:
        saved = session.get(Ticket, ticket.id)
        line = session.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "dossier_attached"
            )
        ).one()
    assert saved.dossier_number == dossier.number
    assert line.to_value == dossier.number


@pytest.mark.parametrize(
    ("number", "message"),
    [("12345", "19 chiffres"), ("9999202501010009999", "Aucun dossier ne porte ce numéro")],
)
def test_attach_refuses_bad_or_unknown_numbers(dossier_web, number, message):
    ticket, _agent = signed_in_with_ticket(dossier_web)
    response = dossier_web.post_form(f"/tickets/{ticket.id}/dossier", {"number": number}, page="/")
    assert response.status_code == 422
    assert message in response.text


def test_only_agents_of_the_queue_may_attach(dossier_web):
    with dossier_web.session() as session:
        ticket = make_ticket(session)
        supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="sdst", queues=())
        editor = make_agent(session, role=Role.EDITOR, queues=())
        session.commit()
    dossier_web.sign_in(supervisor.email)
    response = dossier_web.post_form(
        f"/tickets/{ticket.id}/dossier", {"number": demo("depose").number}, page="/"
    )
    assert response.status_code == 404  # a CCC ticket SDST never saw
    dossier_web.sign_in(editor.email)
    response = dossier_web.post_form(
        f"/tickets/{ticket.id}/dossier", {"number": demo("depose").number}, page="/"
    )
    assert response.status_code == 403 and "pas membre" in response.text


def test_a_refused_number_shows_the_panel_again_with_the_number_kept(dossier_web):
    ticket, _agent = signed_in_with_ticket(dossier_web)
    typed = "1234 5678 9012 3456 789"
    response = dossier_web.post_form(f"/tickets/{ticket.id}/dossier", {"number": typed}, page="/")
    assert response.status_code == 422
    assert 'data-testid="attach-error"' in response.text and f'value="{typed}"' in response.text
    with dossier_web.session() as session:
        assert session.get(Ticket, ticket.id).dossier_number is None


def test_find_by_foreign_number(dossier_web):
    dossier = demo("verification")
    ticket, _agent = signed_in_with_ticket(dossier_web)
    search = f"/tickets/{ticket.id}/dossier/recherche"
    panel = dossier_web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX).text
    assert f'action="{search}"' in panel and 'method="post"' in panel  # never in a URL
    token = dossier_web.csrf("/")
    html = dossier_web.client.post(
        search, data={"numero_etranger": dossier.foreign_number, "_csrf_token": token}, headers=HX
    ).text
    assert 'data-testid="dossier-candidates"' in html and dossier.number in html
    bad = dossier_web.client.post(
        search, data={"numero_etranger": "12AB", "_csrf_token": token}, headers=HX
    )
    assert "10 chiffres" in bad.text
    ignored = dossier_web.client.get(
        f"/tickets/{ticket.id}/dossier?numero_etranger={dossier.foreign_number}", headers=HX
    ).text
    assert 'data-testid="dossier-candidates"' not in ignored  # the old GET search is gone


@pytest.mark.parametrize("down", [True, False])
def test_with_the_service_down_the_panel_answers_fast(sqlite_engine, tmp_path: Path, down):
    url = f"http://127.0.0.1:{free_port()}" if down else None
    settings = make_settings(tmp_path, dossiers_url=url)
    with WebClient.start(sqlite_engine, settings) as web:
        ticket, _agent = signed_in_with_ticket(web, dossier_number=demo("depose").number)
        started = time.monotonic()
        panel = web.client.get(f"/tickets/{ticket.id}/dossier", headers=HX)
        page = web.client.get(f"/tickets/{ticket.id}")
        elapsed = time.monotonic() - started
    assert panel.status_code == 200 and page.status_code == 200
    assert "statut du dossier indisponible pour le moment" in panel.text.lower()
    assert elapsed < 2.5
