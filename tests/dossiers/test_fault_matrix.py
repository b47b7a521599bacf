"""The dossier fault matrix: each way the service can fail, seen by the source, the panel,
intake and the circuit breaker, against a real misbehaving server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from intake.helpers import MESSAGE, reference_of, send
from sqlalchemy.engine import Engine
from sqlmodel import select

from dossiers.breaker import CircuitBreaker
from dossiers.http_source import HttpDossierSource
from dossiers.source import DossierUnavailableError
from helpdesk.tickets.models import Message, Ticket

from conftest import WebClient, make_settings
from factories import make_agent, make_ticket
from support.api_keys import as_partner
from support.dossier_service import demo
from support.faulty_dossier_service import FAULTS, FaultyDossierService, faulty_dossier_service

HX = {"HX-Request": "true"}
DOSSIER = demo("instruction")
BUDGET = 0.5
RESET = 0.3
# A read gives up at the budget, plus at most one wait for the next byte.
READ_BOUND = BUDGET + 0.6
UNAVAILABLE = "Statut du dossier indisponible pour le moment. Réessayez dans quelques minutes."


@pytest.fixture()
def faulty() -> Iterator[FaultyDossierService]:
    """The misbehaving dossier service, answering well until the test chooses a fault."""
    with faulty_dossier_service(DOSSIER) as service:
        yield service


@pytest.fixture()
def fault_web(
    sqlite_engine: Engine, tmp_path: Path, faulty: FaultyDossierService
) -> Iterator[WebClient]:
    """The helpdesk reading dossiers from the faulty service, with small timeouts and breaker."""
    settings = make_settings(
        tmp_path,
        dossiers_url=faulty.url,
        dossiers_cache_seconds=0,
        dossiers_connect_timeout_seconds=0.2,
        dossiers_read_timeout_seconds=0.3,
        dossiers_budget_seconds=BUDGET,
        dossiers_breaker_failures=1,
        dossiers_breaker_reset_seconds=RESET,
    )
    with WebClient.start(sqlite_engine, settings) as client:
        as_partner(client)  # its API calls carry a partner's key
        yield client


def small_source(url: str) -> HttpDossierSource:
    """An HTTP source with the matrix's budget, no cache, a breaker that opens at once."""
    return HttpDossierSource(
        url,
        connect_timeout=0.2,
        read_timeout=0.3,
        budget_seconds=BUDGET,
        cache_seconds=0,
        breaker=CircuitBreaker(failure_threshold=1, reset_seconds=RESET),
    )


def signed_in_with_ticket(web: WebClient) -> Ticket:
    """A ticket on the matrix's dossier, and an agent of its queue signed in."""
    with web.session() as session:
        agent = make_agent(session)
        ticket = make_ticket(
            session, dossier_number=DOSSIER.number, requester_email=DOSSIER.contact_email
        )
        session.commit()
    web.sign_in(agent.email)
    return ticket


def panel_html(web: WebClient, ticket: Ticket, headers: dict[str, str] = HX) -> str:
    """The ticket's dossier panel, which must answer 200 whatever the dossier service does."""
    response = web.client.get(f"/tickets/{ticket.id}/dossier", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.text)


def ticket_and_message(web: WebClient, reference: str) -> tuple[Ticket, str]:
    """The ticket with this reference, and the text of its first message."""
    with web.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        first = session.exec(
            select(Message.body).where(Message.ticket_id == ticket.id).order_by(Message.id)
        ).first()
    assert first is not None
    return ticket, first


@pytest.mark.parametrize("fault", FAULTS)
def test_the_source_says_unavailable_and_counts_a_failure(faulty, fault):
    source = small_source(faulty.url)
    faulty.set_fault(fault)
    started = time.monotonic()
    with pytest.raises(DossierUnavailableError):
        source.get(DOSSIER.number)
    assert time.monotonic() - started < READ_BOUND
    assert source.breaker.state == "open"
    source.close()


@pytest.mark.parametrize("fault", FAULTS)
def test_intake_with_a_dossier_number_still_opens_the_ticket(fault_web, faulty, fault):
    faulty.set_fault(fault)
    message = "Bonjour, je voudrais savoir où en est mon dossier de titre de séjour, merci."
    body = {
        "last_name": "Traoré",
        "first_name": "Awa",
        "email": DOSSIER.contact_email,
        "procedure": "compte",
        "reason": "demarche",
        "subject": "Où en est mon dossier ?",
        "message": message,
        "dossier_number": DOSSIER.number,
        "privacy_acknowledged": True,
    }
    response = fault_web.client.post("/api/v1/contact", json=body)
    assert response.status_code == 201, response.text
    ticket, kept = ticket_and_message(fault_web, response.json()["reference"])
    assert ticket.dossier_number == DOSSIER.number
    assert ticket.procedure == "compte"  # the usager's choice, since the dossier is unread
    assert ticket.requester_email == DOSSIER.contact_email and kept == message
    settings = fault_web.client.app.state.settings
    page = send(fault_web, settings, email=DOSSIER.contact_email, dossier_number=DOSSIER.number)
    assert page.status_code == 200, page.text
    ticket, kept = ticket_and_message(fault_web, reference_of(page.text))
    assert ticket.dossier_number == DOSSIER.number and ticket.procedure == "etudiant"
    assert kept == MESSAGE


@pytest.mark.parametrize("fault", FAULTS)
def test_the_panel_says_unavailable_then_the_breaker_recovers(fault_web, faulty, fault):
    ticket = signed_in_with_ticket(fault_web)
    breaker = fault_web.client.app.state.dossier_source.breaker
    faulty.set_fault(fault)
    fragment = panel_html(fault_web, ticket)
    assert breaker.state != "closed"  # open (half-open already if the page was slow)
    page = panel_html(fault_web, ticket, headers={})  # without JavaScript: the circuit answers
    for html in (fragment, page):
        assert 'data-testid="dossier-unavailable"' in html and UNAVAILABLE in html
        assert DOSSIER.number in html
    time.sleep(RESET)
    assert UNAVAILABLE in panel_html(fault_web, ticket)  # the trial meets the fault: it fails
    assert breaker.state != "closed" and not breaker.trial_running
    faulty.set_fault(None)
    time.sleep(RESET)
    assert 'data-testid="dossier-status"' in panel_html(fault_web, ticket)  # the next trial
    assert breaker.state == "closed"
