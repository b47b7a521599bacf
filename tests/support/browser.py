"""Steps shared by the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from helpdesk.seed import DEMO_PASSWORD


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the form as a demo account and wait to leave the sign-in page."""
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/connexion"))
