"""The search forgives typos, accents and truncations, covers every status by default, finds
people by their identifiers, marks the matched words, and never shows a ticket the agent may
not see — on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from helpdesk.tickets.lifecycle import transition
from helpdesk.tickets.listing import QueueFilters, list_tickets
from helpdesk.tickets.models import Status
from helpdesk.tickets.typos import forget_vocabularies

from conftest import WebClient
from factories import make_agent, make_ticket


def _found(session: Session, agent, query: str, status: str = "") -> set[str]:
    filters = QueueFilters(q=query, status=status, sort="pertinence")
    return {
        ticket.reference for ticket in list_tickets(session, agent=agent, filters=filters).tickets
    }


@pytest.mark.parametrize(
    "query",
    ["renouvellement", "renouvelement", "renouvelemen", "RENOUVELLEMENT", "renouvèlement titre"],
)
def test_a_misspelt_word_finds_the_ticket(session: Session, query: str):
    forget_vocabularies()
    advisor = make_agent(session)
    wanted = make_ticket(session, subject="Renouvellement du titre de séjour bloqué")
    other = make_ticket(
        session, subject="Mot de passe oublié", body="Je ne peux plus me connecter."
    )
    sdst = make_ticket(
        session, subject="Renouvellement refusé par la préfecture", queue_code="sdst"
    )
    session.commit()
    found = _found(session, advisor, query)
    assert wanted.reference in found
    assert other.reference not in found
    assert sdst.reference not in found  # in a queue the CCC agent may not see


def test_typos_in_messages_and_sms_spellings(session: Session):
    forget_vocabularies()
    advisor = make_agent(session)
    ticket = make_ticket(
        session, subject="Question", body="Mon attestation de prolongation a expiré hier."
    )
    session.commit()
    assert ticket.reference in _found(session, advisor, "atestation prolongaton")
    assert ticket.reference in _found(session, advisor, "prolongation expire")
    assert _found(session, advisor, "naturalisation") == set()


def test_every_status_by_default_and_a_status_filter(session: Session):
    advisor = make_agent(session)
    resolved = make_ticket(session, subject="Duplicata après perte du titre")
    transition(session, resolved, Status.RESOLVED, actor=advisor, reason="réglé")
    session.commit()
    assert resolved.reference in _found(session, advisor, "duplicata")
    assert resolved.reference not in _found(session, advisor, "duplicata", status="actifs")
    assert resolved.reference in _found(session, advisor, "duplicata", status="resolved")


def test_identifiers_are_looked_up_exactly(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(
        session,
        requester_email="Nour.Haddad@example.org",
        requester_foreign_number="7501234567",
        dossier_number="NA-2025-004217",
    )
    make_ticket(session, requester_email="autre@example.org")
    session.commit()
    for query in (ticket.reference, "nour.haddad@example.org", "7501234567", "NA-2025-004217"):
        assert _found(session, advisor, query) == {ticket.reference}, query


def test_the_search_page_marks_the_matched_words_and_keeps_them_out_of_the_url(
    any_web: WebClient,
):
    web = any_web
    forget_vocabularies()
    with web.session() as session:
        make_agent(session, email="cherche@typos.test")
        make_ticket(session, subject="Renouvellement <b>urgent</b>", body="Renouvellement bloqué")
        session.commit()
    web.sign_in("cherche@typos.test")
    token = web.csrf("/recherche")
    posted = web.client.post(
        "/recherche", data={"q": "renouvelement", "_csrf_token": token}, follow_redirects=False
    )
    location = posted.headers["location"]
    assert "renouvel" not in location and "status=" in location
    page = web.client.get(location).text
    assert "<mark>Renouvellement</mark>" in page
    assert "&lt;b&gt;urgent&lt;/b&gt;" in page and "<b>urgent</b>" not in page
    assert re.search(r'<option value="" selected>Tous les statuts', page)
