"""In chromium: a téléconseiller takes a call and sees the caller's history and dossiers as
the identifiers are typed, attaches a dossier and sees the confirmation; a reply draft
survives a reload; a closed side panel stays closed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from dossiers.model import Dossier
from helpdesk.app import create_app
from helpdesk.db import make_engine
from helpdesk.migrate import migrate
from helpdesk.seed import DEMO_PASSWORD, seed_demo

from conftest import make_settings
from factories import make_ticket
from support.dossier_service import REFERENCE_TOKEN, demo, reference_service
from support.servers import serve_in_thread

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class CallServer:
    """The helpdesk wired to the reference dossier service, and what the tests look for."""

    url: str
    caller: Dossier
    ticket_id: int


@pytest.fixture(scope="module")
def call_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallServer]:
    folder: Path = tmp_path_factory.mktemp("call-live")
    caller = demo("instruction")
    engine = make_engine(f"sqlite:///{folder / 'helpdesk.db'}")
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        make_ticket(
            session,
            subject="Rendez-vous de remise introuvable",
            requester_email=caller.contact_email,
        )
        ticket = make_ticket(session, subject="Attestation à renouveler, brouillon")
        session.commit()
        ticket_id = ticket.id or 0
    with reference_service(folder) as reference:
        settings = make_settings(
            folder,
            dossiers_url=reference.url,
            dossiers_token=REFERENCE_TOKEN,
            dossiers_cache_seconds=0,
        )
        app = create_app(settings, engine=engine, run_jobs=True)
        with serve_in_thread(app) as url:
            yield CallServer(url=url, caller=caller, ticket_id=ticket_id)


def sign_in(page: Page, base_url: str, next_path: str) -> None:
    page.goto(f"{base_url}{next_path}")
    expect(page).to_have_url(re.compile(r"/connexion"))
    page.get_by_label("Adresse électronique").fill("conseiller@ccc.demo")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_call_finds_the_history_and_the_dossier(page: Page, call_server: CallServer):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    caller = call_server.caller
    sign_in(page, call_server.url, "/appels/nouveau")
    expect(page.get_by_role("heading", name="Nouvel appel")).to_be_visible()
    page.locator("#requester_foreign_number").press_sequentially(caller.foreign_number)
    dossiers = page.get_by_test_id("call-dossiers")
    expect(dossiers).to_contain_text(caller.number, timeout=10_000)
    page.locator("#requester_email").fill(caller.contact_email)
    history = page.get_by_test_id("call-history")
    expect(history).to_contain_text("Rendez-vous de remise introuvable", timeout=10_000)
    dossiers.locator("label", has_text=caller.number).click()
    expect(page.get_by_label(re.compile(re.escape(caller.number)))).to_be_checked()
    page.get_by_label("Notes de l'appel").fill("Demande où en est son titre ; identité vérifiée.")
    page.get_by_role("button", name="Enregistrer l'appel").click()
    flash = page.get_by_test_id("flash")
    expect(flash).to_contain_text(re.compile(r"Appel enregistré : ticket ANEF-\d{4}-\d{6}"))
    expect(flash).to_contain_text("résolu au premier contact")
    expect(page.get_by_test_id("dossier-number")).to_have_text(caller.number)
    assert errors == []


def test_a_draft_survives_a_reload_and_a_closed_panel_stays_closed(
    page: Page, call_server: CallServer
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, call_server.url, f"/tickets/{call_server.ticket_id}")
    reply = page.locator("textarea#body")
    reply.fill("Bonjour, votre attestation de prolongation sera renouvelée")
    status = page.get_by_test_id("draft-status")
    expect(status).to_have_text(re.compile(r"Brouillon enregistré à \d\d:\d\d"))
    expect(status).to_have_attribute("role", "status")
    panel = page.locator("button[data-panel='history']")
    expect(panel).to_have_attribute("aria-expanded", "true")
    with page.expect_response(lambda r: r.url.endswith("/console/panneaux")) as saved:
        panel.click()
    assert saved.value.status == 204
    page.reload()
    expect(page.locator("textarea#body")).to_have_value(
        "Bonjour, votre attestation de prolongation sera renouvelée"
    )
    expect(page.locator("button[data-panel='history']")).to_have_attribute("aria-expanded", "false")
    assert errors == []
