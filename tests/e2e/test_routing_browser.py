"""In chromium: an administrator tries the routing rules on a text (dry run), through htmx."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from support.browser import sign_in

pytestmark = pytest.mark.browser


def test_admin_dry_runs_the_rules_on_a_referent_text(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "admin@dp-anef.demo")
    page.get_by_role("button", name="Administration").click()  # the admin pages' menu
    page.get_by_role("link", name="Routage et délais").click()
    expect(page.get_by_role("heading", name="Routage et délais", level=1)).to_be_visible()
    expect(page.get_by_test_id("rules")).to_contain_text("Référent NATALI → DP ANEF")

    form = page.get_by_test_id("dry-run-form")
    form.get_by_label("Demandeur").select_option("referent-natali")
    form.get_by_label("Objet").fill("Anomalie sur un dossier")
    form.get_by_label("Message").fill("Le dossier NA-2025-004217 ne s'affiche plus dans NATALI.")
    form.get_by_role("button", name="Essayer").click()

    result = page.get_by_test_id("dry-run-result")
    expect(result.get_by_test_id("dry-run-outcome")).to_contain_text("File : dp-anef")
    fired = result.locator('tr[data-verdict="déclenchée"]')
    expect(fired).to_have_count(1)
    expect(fired).to_contain_text("Référent NATALI → DP ANEF")
    expect(page).to_have_url(re.compile(r"/admin/routage/$"))  # htmx swapped the result only
    assert errors == []


def test_dry_run_of_an_existing_ticket_by_reference(page: Page, live_server):
    sign_in(page, live_server.url, "admin@dp-anef.demo")
    page.goto(f"{live_server.url}/admin/routage/")
    page.get_by_label("Référence d'un ticket").fill("ANEF-2099-999999")
    page.get_by_role("button", name="Essayer").click()
    expect(page.get_by_test_id("dry-run-result")).to_contain_text("Aucun ticket ANEF-2099-999999")
