"""In chromium: DP ANEF answers, the CCC agent's bell counts it, the list opens the ticket."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from helpdesk.auth.models import Agent
from helpdesk.seed import DEMO_PASSWORD
from helpdesk.tickets.handover import hand_over

from factories import make_ticket

pytestmark = pytest.mark.browser
ANSWER = "Le titre est débloqué : l'usager peut prendre rendez-vous en préfecture."


def _signed_in(browser: Browser, base_url: str, email: str) -> Page:
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def _bell_count(page: Page) -> int:
    """The unread count the bell shows once htmx has loaded it."""
    bell = page.locator("#cloche-notifications[data-unread]")
    expect(bell).to_have_count(1)
    label = bell.get_attribute("aria-label") or ""
    assert label.startswith("Notifications : "), label
    return int(bell.get_attribute("data-unread") or "0")


def _escalated_ticket(live_server) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A ticket the CCC advisor sent up to DP ANEF (through the services)."""
    with live_server.jobs.session() as session:
        advisor = session.exec(select(Agent).where(Agent.email == "conseiller@ccc.demo")).one()
        ticket = make_ticket(session, subject="Titre bloqué après remise")
        session.commit()
        hand_over(
            session,
            ticket_id=ticket.id,  # type: ignore[arg-type]
            to_queue_code="dp-anef",
            reason="Titre bloqué",
            checked="Dossier complet, remise faite",
            question="Pouvez-vous débloquer le titre ?",
            actor=advisor,
        )
        session.commit()
        return ticket.id, ticket.reference  # type: ignore[return-value]


def _return_answer(live_server, ticket_id: int) -> None:  # type: ignore[no-untyped-def]
    """DP ANEF sends its answer back down to the CCC (the hand-over service, as the form does)."""
    with live_server.jobs.session() as session:
        expert = session.exec(select(Agent).where(Agent.email == "agent@dp-anef.demo")).one()
        hand_over(
            session,
            ticket_id=ticket_id,
            to_queue_code="ccc",
            reason="",
            answer=ANSWER,
            actor=expert,
        )
        session.commit()  # its relay hands the derive job to the live server's worker


def test_an_answer_from_dp_anef_rings_the_advisors_bell(browser: Browser, live_server):
    ticket_id, reference = _escalated_ticket(live_server)
    _settle(live_server)
    advisor = _signed_in(browser, live_server.url, "conseiller@ccc.demo")
    advisor.goto(f"{live_server.url}/notifications")
    if advisor.get_by_test_id("mark-all-read").count():
        advisor.get_by_test_id("mark-all-read").click()
        expect(advisor.get_by_test_id("flash")).to_be_visible()
    assert _bell_count(advisor) == 0

    _return_answer(live_server, ticket_id)  # the ticket page's own walk is A1's browser test
    _settle(live_server)
    deadline = time.monotonic() + 15
    while (count := _reload_count(advisor)) == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert count == 1

    advisor.locator("#cloche-notifications").click()
    expect(advisor).to_have_url(f"{live_server.url}/notifications")
    newest = advisor.get_by_test_id("notification").first
    expect(newest).to_have_attribute("data-unread", "1")
    expect(newest).to_contain_text("Réponse reçue d'un autre niveau")
    newest.get_by_role("button", name=reference).click()
    expect(advisor.get_by_test_id("reference")).to_have_text(reference)
    assert _bell_count(advisor) == 0


def _settle(live_server) -> None:  # type: ignore[no-untyped-def]
    """Let the live server's jobs (notifications of earlier changes included) finish."""
    live_server.jobs.sweep()
    live_server.jobs.join()


def _reload_count(page: Page) -> int:
    page.reload()
    return _bell_count(page)
