"""In chromium: a référent opens a signalement, DP ANEF's incident manager links it to an
incident and resolves the incident, the référent sees the resolution."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from helpdesk.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SUBJECT = "Remise non enregistrée : dépôt bloqué"
DESCRIPTION = (
    "La remise du titre n'a pas été enregistrée : l'usager ne peut pas déposer sa demande "
    "suivante, le bouton de dépôt reste grisé."
)
INCIDENT = "Dépôt bloqué après une remise de titre"


@pytest.fixture()
def worker(live_server) -> Callable[[], None]:
    """Waits for the live server's jobs: sends what is left in the outbox, runs it all."""

    def drain() -> None:
        live_server.jobs.sweep()
        live_server.jobs.join()

    return drain


def signed_in(browser: Browser, base_url: str, email: str) -> Page:
    """A fresh browser page signed in as a demo account."""
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def open_signalement(referent: Page) -> str:
    """Fill the signalement form (articles come while typing); returns the reference."""
    referent.get_by_role("link", name="Nouveau signalement").first.click()
    referent.locator("#kind").select_option("incident")
    referent.locator("#procedure").select_option("etudiant")
    referent.locator("#severity").select_option("bloquant")
    referent.locator("#affected_count").fill("7")
    referent.locator("#subject").fill(SUBJECT)
    referent.locator("#description").fill(DESCRIPTION)
    suggestions = referent.get_by_test_id("report-suggestions")
    expect(suggestions.locator("[data-slug=fiche-referent-remise-non-enregistree]")).to_be_visible()
    expect(referent.get_by_role("button", name="Voir les articles utiles")).to_be_hidden()
    referent.locator("#browser").fill("Edge 126")
    referent.get_by_role("button", name="Envoyer le signalement").click()
    expect(referent.get_by_test_id("report-sent")).to_be_visible()
    return referent.get_by_test_id("reference").inner_text()


def record_and_link_incident(dp: Page, base_url: str, reference: str) -> None:
    """DP ANEF records an incident and links the signalement from its ticket page."""
    dp.goto(f"{base_url}/incidents/nouveau")
    dp.locator("#title").fill(INCIDENT)
    dp.locator("#description").fill(DESCRIPTION)
    dp.locator("#procedures").select_option("etudiant")
    dp.get_by_role("button", name="Enregistrer et informer les référents").click()
    expect(dp.get_by_role("heading", level=1)).to_contain_text(INCIDENT)
    incident_url = dp.url
    dp.goto(f"{base_url}/recherche?q={reference}")
    dp.get_by_role("link", name=reference).click()
    panel = dp.get_by_test_id("incident-panel")
    expect(panel.get_by_test_id("report-details")).to_contain_text("Bloquant")
    panel.locator("#incident_id").select_option(incident_url.rstrip("/").rsplit("/", 1)[1])
    panel.get_by_role("button", name="Lier").click()
    expect(dp.get_by_test_id("ticket-incidents")).to_contain_text(INCIDENT)
    dp.goto(incident_url)


def test_a_signalement_is_resolved_with_its_incident(
    browser: Browser, live_server, worker: Callable[[], None]
):
    referent = signed_in(browser, live_server.url, "referent@pref-69.demo")
    expect(referent).to_have_url(re.compile(r"/referent/$"))
    expect(referent.get_by_test_id("site-name")).to_contain_text("Préfecture du Rhône")
    reference = open_signalement(referent)
    assert re.fullmatch(r"ANEF-\d{4}-\d{6}", reference)

    dp = signed_in(browser, live_server.url, "incidents@dp-anef.demo")
    record_and_link_incident(dp, live_server.url, reference)
    expect(dp.get_by_test_id("linked-tickets")).to_contain_text(reference)
    dp.locator("#referent_message").fill(
        "L'incident « {incident} » est corrigé : la remise est de nouveau enregistrée."
    )
    dp.get_by_test_id("resolve-form").get_by_role("button").click()
    expect(dp.get_by_test_id("incident-status")).to_have_text("Résolu")

    worker()  # the resolution is posted on each linked ticket by a background job
    referent.reload()
    thread = referent.get_by_test_id("thread")
    expect(thread).to_contain_text(f"L'incident « {INCIDENT} » est corrigé")
    expect(referent.get_by_test_id("status")).to_have_text("Résolu")
    expect(referent.get_by_test_id("linked-incident")).to_contain_text("Incident résolu")
    expect(referent.get_by_test_id("followed-history")).to_contain_text("Incident résolu")
