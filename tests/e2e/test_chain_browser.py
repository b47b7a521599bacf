"""In chromium, the whole chain: contact form → CCC → DP ANEF → SDST → back → reply → follow-up."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from helpdesk.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser
QUESTION = (
    "Bonjour, je suis salarié et mon attestation de prolongation a expiré. "
    "Puis-je continuer à travailler pendant l'instruction de mon renouvellement ?"
)
ANSWER_SDST = "Oui : l'attestation de prolongation conserve le droit au travail du titre précédent."
FINAL_REPLY = "Bonjour, vous conservez votre droit de travailler pendant l'instruction."


def send_contact_form(page: Page, base_url: str) -> tuple[str, str]:
    """The usager's request; returns its reference and follow-up link."""
    page.goto(f"{base_url}/contact")
    started = time.monotonic()
    page.locator("#last_name").fill("Diallo")
    page.locator("#first_name").fill("Moussa")
    page.locator("#email").fill("moussa.diallo@example.org")
    page.locator("#procedure").select_option("vie-privee-familiale")
    page.locator("#reason").select_option("attestation")
    page.locator("#subject").fill("Droit au travail pendant le renouvellement")
    page.locator("#message").fill(QUESTION)
    page.locator("label[for=privacy]").click()
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
    page.get_by_role("button", name="Envoyer ma demande").click()
    reference = page.get_by_test_id("reference").inner_text()
    link = page.get_by_test_id("follow-up-link").get_attribute("href") or ""
    return reference, link


def open_as(browser: Browser, base_url: str, email: str, reference: str) -> Page:
    """A signed-in agent's page on the ticket found by its reference."""
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base_url}/recherche?q={reference}")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("reference")).to_have_text(reference)
    return page


def hand_over(page: Page, to_queue: str, **fields: str) -> None:
    """Fill and send the hand-over form."""
    page.get_by_test_id("action-bar").get_by_role("button", name="Transmettre").click()
    form = page.get_by_test_id("handover-form")
    form.locator("#to_queue").select_option(to_queue)
    for name, value in fields.items():
        form.locator(f"#{name}").fill(value)
    form.get_by_role("button", name="Transmettre").click()


def test_a_question_travels_the_chain_and_the_answer_reaches_the_usager(
    browser: Browser, live_server
):
    usager = browser.new_context(locale="fr-FR").new_page()
    usager.set_default_timeout(10_000)
    reference, follow_up = send_contact_form(usager, live_server.url)
    assert re.fullmatch(r"ANEF-\d{4}-\d{6}", reference)

    advisor = open_as(browser, live_server.url, "conseiller@ccc.demo", reference)
    hand_over(
        advisor,
        "dp-anef",
        reason="Question sur le droit au travail",
        checked="Dossier déposé à temps, attestation expirée hier",
        question="L'usager peut-il continuer à travailler ?",
    )
    expect(advisor.get_by_test_id("current-queue")).to_contain_text("DP ANEF")

    dp = open_as(browser, live_server.url, "agent@dp-anef.demo", reference)
    hand_over(
        dp,
        "sdst",
        reason="Question réglementaire",
        checked="Pas d'anomalie technique",
        question="Le droit au travail est-il maintenu ?",
    )
    expect(dp.get_by_test_id("current-queue")).to_contain_text("SDST")

    sdst = open_as(browser, live_server.url, "agent@sdst.demo", reference)
    expect(sdst.locator("#kind-reply")).to_have_count(0)  # SDST never writes to the usager
    hand_over(sdst, "ccc", answer=ANSWER_SDST)
    expect(sdst.get_by_test_id("current-queue")).to_contain_text("CCC")

    advisor.reload()
    expect(advisor.get_by_test_id("answer-received")).to_be_visible()
    expect(advisor.locator("[data-kind=internal_note]").last).to_contain_text(ANSWER_SDST)
    advisor.locator("#body").fill(FINAL_REPLY)
    advisor.locator("label[for=kind-reply]").click()
    advisor.get_by_role("button", name="Envoyer la réponse à l'usager").click()
    expect(advisor.locator("[data-kind=public_reply]").last).to_contain_text(FINAL_REPLY)

    usager.goto(follow_up if follow_up.startswith("http") else f"{live_server.url}{follow_up}")
    conversation = usager.get_by_test_id("conversation")
    expect(conversation).to_contain_text(FINAL_REPLY)
    expect(conversation).not_to_contain_text(ANSWER_SDST)
    expect(conversation).not_to_contain_text("Camille Martin")
