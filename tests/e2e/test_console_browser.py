"""In chromium: a téléconseiller signs in and finds the CCC queue on the home page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from helpdesk.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/connexion"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_teleconseiller_signs_in_and_sees_the_ccc_queue(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "conseiller@ccc.demo")

    expect(page.get_by_role("heading", name="Bonjour Camille Martin")).to_be_visible()
    queue = page.locator('[data-queue="ccc"]')
    expect(queue).to_contain_text("CCC — centre de contact citoyen")
    expect(page.get_by_test_id("count-ccc")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator('[data-queue="sdst"]')).to_have_count(0)

    queue.get_by_role("link").click()
    expect(page.get_by_role("heading", name="CCC — centre de contact citoyen")).to_be_visible()
    expect(page.get_by_test_id("queue-tickets")).to_contain_text("ANEF-")
    assert errors == []


def test_wrong_password_shows_a_polite_error(page: Page, live_server):
    page.goto(f"{live_server.url}/connexion")
    page.get_by_label("Adresse électronique").fill("conseiller@ccc.demo")
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
