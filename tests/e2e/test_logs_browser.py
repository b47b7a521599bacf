"""In chromium: after usagers and agents used the helpdesk, its logs name nobody.

The capture (tests/e2e/conftest.py) holds every log line of the browser tests' servers, as
production writes them. This test adds a walk that carries every kind of identifier (an
usager's name, e-mail, phone and numéro étranger through the contact form; an agent's
dossier search by numéro étranger and reply), then looks for each identifier of the demo
data and of the walk in the whole capture.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.seed import DEMO_PASSWORD
from helpdesk.tickets.models import Ticket

pytestmark = pytest.mark.browser

USAGER = {
    "last_name": "Okonkwo-Lefranc",
    "first_name": "Adaeze",
    "email": "adaeze.okonkwo@example.net",
    "phone": "06 71 82 93 04",
    "foreign_number": "7512398460",
}


@pytest.fixture()
def info_level() -> Iterator[None]:
    """Production's level for the walk (other browser modules' servers run at WARNING)."""
    root = logging.getLogger()
    saved = root.level
    root.setLevel(logging.INFO)
    yield
    root.setLevel(saved)


def send_contact_form(page: Page, base_url: str) -> str:
    """An usager's request carrying every identifier; its reference."""
    page.goto(f"{base_url}/contact")
    started = time.monotonic()
    for field, value in USAGER.items():
        page.locator(f"#{field}").fill(value)
    page.locator("#procedure").select_option("etudiant")
    page.locator("#reason").select_option("attestation")
    page.locator("#subject").fill("Mon récépissé a expiré")
    page.locator("#message").fill(
        f"Bonjour, je suis {USAGER['first_name']} {USAGER['last_name']}, numéro étranger "
        f"{USAGER['foreign_number']}. Mon récépissé a expiré, que dois-je faire ?"
    )
    page.locator("label[for=privacy]").click()
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
    page.locator("#contact-submit").click()
    expect(page.get_by_role("heading", name="Votre demande a bien été envoyée")).to_be_visible()
    return page.get_by_test_id("reference").inner_text()


def agent_works_the_ticket(page: Page, base_url: str, ticket_id: int) -> None:
    """A téléconseiller opens it, searches the dossier by numéro étranger and replies."""
    page.goto(f"{base_url}/tickets/{ticket_id}")
    page.get_by_label("Adresse électronique").fill("conseiller@ccc.demo")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("reference")).to_be_visible()
    search = page.get_by_test_id("foreign-number-search")
    search.locator("#numero-etranger").fill(USAGER["foreign_number"])
    search.get_by_role("button", name="Chercher").click()
    page.locator("#body").fill(f"Bonjour {USAGER['first_name']}, voici la marche à suivre.")
    page.locator("#kind-reply").check()
    page.get_by_role("button", name="Envoyer la réponse à l'usager").click()
    expect(page.get_by_test_id("history")).to_contain_text("Réponse au demandeur")


def identifiers(session: Session) -> set[str]:
    """Every name, e-mail, phone and number the database holds about people."""
    found: set[str] = set()
    for ticket in session.exec(select(Ticket)):
        found |= {
            ticket.requester_name,
            ticket.requester_email or "",
            ticket.requester_phone or "",
            ticket.requester_foreign_number or "",
            ticket.dossier_number or "",
        }
    for agent in session.exec(select(Agent)):
        found |= {agent.email, agent.full_name}
    return {value for value in found if len(value) >= 6}


def test_the_logs_of_a_browser_run_name_no_usager_and_no_agent(
    page: Page, live_server, captured_logs: Path, info_level: None
):
    reference = send_contact_form(page, live_server.url)
    with Session(live_server.engine) as session:  # type: ignore[arg-type]
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        ticket_id = ticket.id
    assert ticket_id is not None
    agent_works_the_ticket(page, live_server.url, ticket_id)
    live_server.jobs.sweep()  # the acknowledgement and reply e-mails go out now
    live_server.jobs.join()

    lines = captured_logs.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    # The capture works: the walk's requests are there, at INFO, with their paths.
    paths = {event.get("path") for event in events if event.get("event") == "request"}
    assert {"/contact", f"/tickets/{ticket_id}"} <= paths, sorted(p for p in paths if p)[-40:]
    with Session(live_server.engine) as session:  # type: ignore[arg-type]
        wanted = identifiers(session) | set(USAGER.values()) | {USAGER["phone"].replace(" ", "")}
    text = "\n".join(lines)
    leaks = sorted(value for value in wanted if value in text)
    assert leaks == [], f"identifiers in the logs: {leaks}"
    assert not re.search(r"/suivi/[A-Za-z0-9_-]{20,}", text), "a follow-up token in the logs"
