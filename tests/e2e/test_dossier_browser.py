"""In chromium: an agent sees a ticket's dossier timeline, then a dossier event in its history."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlmodel import Session

from helpdesk.app import create_app
from helpdesk.db import make_engine
from helpdesk.migrate import migrate
from helpdesk.seed import DEMO_PASSWORD, seed_demo

from conftest import make_settings
from factories import make_api_key, make_ticket
from support.dossier_service import (
    EVENTS_SECRET,
    REFERENCE_TOKEN,
    TOKEN_HEADER,
    demo,
    reference_service,
)
from support.servers import free_port

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Wired:
    """The helpdesk and the reference dossier service, each posting to the other."""

    url: str
    reference_url: str
    ticket_id: int
    dossier_number: str


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wired]:
    folder: Path = tmp_path_factory.mktemp("dossiers-live")
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/api/v1/dossier-events"
    dossier = demo("titre_en_fabrication")
    engine = make_engine(f"sqlite:///{folder / 'helpdesk.db'}")
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        ticket = make_ticket(
            session,
            subject="Où en est mon titre ?",
            dossier_number=dossier.number,
            requester_email=dossier.contact_email,
            procedure=dossier.procedure,
        )
        key = make_api_key(session, scopes=("dossier-events:write",))
        session.commit()
        ticket_id = ticket.id
    with reference_service(folder, webhook_url=webhook, webhook_key=key) as reference:
        settings = make_settings(
            folder,
            base_url=f"http://127.0.0.1:{port}",
            dossiers_url=reference.url,
            dossiers_token=REFERENCE_TOKEN,
            dossiers_cache_seconds=0,
            dossier_events_secret=EVENTS_SECRET,
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, engine=engine, run_jobs=True),
                host="127.0.0.1",
                port=port,
                log_config=None,
                access_log=False,
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "helpdesk did not start"
            time.sleep(0.05)
        yield Wired(f"http://127.0.0.1:{port}", reference.url, ticket_id, dossier.number)  # type: ignore[arg-type]
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(page: Page, base_url: str, next_path: str) -> None:
    page.goto(f"{base_url}{next_path}")
    expect(page).to_have_url(re.compile(r"/connexion"))
    page.get_by_label("Adresse électronique").fill("conseiller@ccc.demo")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_agent_sees_the_dossier_timeline(page: Page, wired: Wired):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, wired.url, f"/tickets/{wired.ticket_id}")
    expect(page.get_by_test_id("reference")).to_be_visible()
    panel = page.get_by_test_id("dossier-panel")
    expect(panel.get_by_test_id("dossier-number")).to_have_text(wired.dossier_number)
    expect(panel.get_by_test_id("dossier-status")).to_have_text("Titre en fabrication")
    timeline = panel.get_by_test_id("dossier-timeline")
    expect(timeline).to_contain_text("Déposé")
    expect(timeline).to_contain_text("Décision favorable")
    expect(panel.get_by_test_id("attestations")).to_contain_text(
        "Attestation de décision favorable"
    )
    assert errors == []


def test_a_dossier_moved_to_titre_disponible_appears_in_the_history(page: Page, wired: Wired):
    moved = httpx.post(
        f"{wired.reference_url}/api/v1/dossiers/{wired.dossier_number}/advance",
        headers=TOKEN_HEADER,
    )
    assert moved.status_code == 200
    assert moved.json()["dossier"]["status"] == "titre_disponible"
    assert moved.json()["delivered"] is True
    sign_in(page, wired.url, f"/tickets/{wired.ticket_id}")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Dossier : changement de statut")
    expect(history).to_contain_text("Titre en fabrication → Titre disponible")
    expect(page.get_by_test_id("dossier-status")).to_have_text("Titre disponible")
