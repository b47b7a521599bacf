"""In chromium: an administrator sees the failed jobs badge, filters them and replays them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from helpdesk.db import utcnow

from support.browser import sign_in
from support.dead_letters import add_dead_letter

pytestmark = pytest.mark.browser
PURGE = "maintenance.purge_expired"


def test_admin_replays_checked_rows_then_one_row_keeping_the_filter(page: Page, live_server):
    with Session(live_server.engine, expire_on_commit=False) as session:  # type: ignore[arg-type]
        letters = [add_dead_letter(session, PURGE, error="OperationalError: base verrouillée")]
        letters += [add_dead_letter(session, PURGE) for _ in range(2)]
        for dead in letters:
            dead.alerted_at = utcnow()  # no alert e-mail in the shared live server
        session.commit()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "admin@dp-anef.demo")

    expect(page.get_by_test_id("failed-jobs-badge")).to_be_visible()
    page.goto(f"{live_server.url}/admin/travaux")
    page.get_by_label("Type de travail").select_option(PURGE)
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"type={re.escape(PURGE)}"))
    table = page.get_by_test_id("dead-letters")
    expect(table.locator("tbody tr")).to_have_count(3)

    for dead in letters[:2]:  # DSFR's label lies over the box: the click goes through it
        page.get_by_label(f"Cocher le travail {dead.id}").check(force=True)
    page.get_by_role("button", name="Relancer les travaux cochés").click()
    expect(page.get_by_role("status")).to_contain_text("2 travaux relancés")
    expect(page).to_have_url(re.compile(rf"type={re.escape(PURGE)}&relances=2"))

    last = table.locator(f'tr[data-dead-letter="{letters[2].id}"]')
    last.get_by_role("button", name="Relancer").click()
    expect(page.get_by_role("status")).to_contain_text("1 travail relancé")
    expect(page.get_by_label("Type de travail")).to_have_value(PURGE)
    expect(table.get_by_text("Non relancé", exact=True)).to_have_count(0)
    assert errors == []
