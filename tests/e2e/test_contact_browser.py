"""In chromium: the contact form with and without JavaScript, suggestions, the follow-up link."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from helpdesk.intake.models import DeflectionEvent
from helpdesk.kb.transfer import import_seed

pytestmark = pytest.mark.browser
MESSAGE = (
    "Bonjour, mon attestation de prolongation d'instruction a expiré et je n'en ai pas reçu "
    "de nouvelle. Que dois-je faire ?"
)


@pytest.fixture(scope="module")
def with_articles(live_server) -> str:
    """The help centre's seed articles, published and searchable on the live server."""
    with Session(live_server.engine) as session:  # type: ignore[arg-type]
        import_seed(session)
        session.commit()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answer = httpx.get(
            f"{live_server.url}/aide/suggestions", params={"q": "attestation prolongation"}
        )
        if "data-slug" in answer.text:
            return live_server.url
        time.sleep(0.5)
    raise AssertionError("the suggestion engine never answered")


def fill_identity(page: Page) -> None:
    page.get_by_label("Nom", exact=False).first.fill("Traoré")
    page.locator("#first_name").fill("Awa")
    page.locator("#email").fill("awa.traore@example.org")
    page.locator("#procedure").select_option("etudiant")
    page.locator("#reason").select_option("attestation")


def wait_fill_time(started: float) -> None:
    """The form refuses sends quicker than a person (3 s in the test settings)."""
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))


def test_with_javascript_suggestions_appear_and_the_follow_up_link_works(
    page: Page, with_articles: str, live_server
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{with_articles}/contact")
    started = time.monotonic()
    fill_identity(page)
    page.locator("#subject").press_sequentially("Attestation de prolongation expirée", delay=10)
    page.locator("#message").fill(MESSAGE)
    suggestion = page.get_by_test_id("suggestions").locator("[data-slug] a").first
    expect(suggestion).to_be_visible(timeout=10_000)
    page.locator("label[for=privacy]").click()
    wait_fill_time(started)
    page.get_by_role("button", name="Envoyer ma demande").click()

    expect(page.get_by_role("heading", name="Votre demande a bien été envoyée")).to_be_visible()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"ANEF-\d{4}-\d{6}", reference)
    page.get_by_test_id("follow-up-link").click()
    expect(page).to_have_url(re.compile(r"/suivi/[A-Za-z0-9_-]{43}$"))
    expect(page.get_by_test_id("reference")).to_have_text(reference)
    expect(page.get_by_test_id("conversation")).to_contain_text("mon attestation de prolongation")
    with Session(live_server.engine) as session:
        kinds = {e.kind for e in session.exec(select(DeflectionEvent))}
    assert {"shown", "sent"} <= kinds
    assert errors == []


@pytest.fixture()
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_without_javascript_the_form_still_works(page_without_js: Page, live_server):
    page = page_without_js
    page.goto(f"{live_server.url}/contact")
    started = time.monotonic()
    page.get_by_role("button", name="Envoyer ma demande").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("Votre demande n'a pas été envoyée")
    expect(summary.get_by_role("link", name=re.compile("^Adresse électronique"))).to_be_visible()
    expect(page.locator("#last_name")).to_be_focused()

    fill_identity(page)
    page.locator("#subject").fill("Attestation de prolongation expirée")
    # Not the other test's text: the same address and text within ten minutes is a repeat,
    # which shows no follow-up link.
    message = MESSAGE + " Envoyé sans JavaScript."
    page.locator("#message").fill(message)
    page.get_by_role("button", name="Voir les réponses possibles").click()
    expect(page.locator("#message")).to_have_value(message)
    page.locator("label[for=privacy]").click()
    wait_fill_time(started)
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_test_id("reference")).to_have_text(re.compile(r"^ANEF-\d{4}-\d{6}$"))
    page.get_by_test_id("follow-up-link").click()
    expect(page.get_by_role("heading", name=re.compile("Suivi de votre demande"))).to_be_visible()
