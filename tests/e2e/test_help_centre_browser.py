"""In chromium: an usager searches the public help centre and opens an article; an editor
finds the same article in the wiki."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from helpdesk.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_an_usager_searches_the_help_centre_and_opens_an_article(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/aide")
    expect(page.get_by_role("heading", name="Centre d'aide", exact=True)).to_be_visible()
    page.get_by_label("Rechercher dans le centre d'aide").fill("j'ai oublié mon mdp")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/aide\?q="))
    results = page.get_by_test_id("help-results")
    first = results.get_by_role("link").first
    expect(first).to_contain_text(re.compile("mot de passe", re.IGNORECASE))
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("article-body")).not_to_be_empty()
    page.get_by_role("button", name="Oui").click()
    expect(page.get_by_test_id("feedback-thanks")).to_contain_text("Merci pour votre avis")
    assert errors == []


def test_the_help_centre_in_english(page: Page, live_server):
    page.goto(f"{live_server.url}/help")
    expect(page).to_have_url(re.compile(r"/aide\?lang=en$"))
    expect(page.get_by_role("heading", name="Help centre", exact=True)).to_be_visible()
    page.get_by_label("Search the help centre").fill("forgot password")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("help-results").get_by_role("link").first).to_be_visible()


def test_an_editor_finds_an_article_and_its_history(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/connexion?next=/kb")
    page.get_by_label("Adresse électronique").fill("redacteur@dp-anef.demo")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Base de connaissances")).to_be_visible()
    page.get_by_label("Rechercher un article").fill("attestation prolongation expiree")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.get_by_test_id("kb-articles").get_by_role("link").first.click()
    expect(page.get_by_test_id("article-status")).to_have_text("Publié")
    page.get_by_role("link", name="Historique des révisions").click()
    expect(page.get_by_test_id("history")).to_contain_text("Import")
    assert errors == []
