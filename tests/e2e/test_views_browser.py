"""In chromium: a téléconseiller opens « Non attribués » from the menu, takes the next ticket,
is told which, walks to the next and previous tickets of the view, and saves a view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from helpdesk.seed import DEMO_PASSWORD

from factories import make_ticket

pytestmark = pytest.mark.browser
REFERENCE = re.compile(r"ANEF-\d{4}-\d{6}")


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("agent-name")).to_be_visible()


def test_take_the_next_ticket_walk_the_view_and_save_it(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with Session(live_server.engine) as session:
        subjects = [f"Dossier Zébulon numéro {n}" for n in (1, 2, 3)]
        for subject in subjects:
            make_ticket(session, subject=subject, requester_email="zebulon@example.org")
        session.commit()
    sign_in(page, live_server.url, "conseiller@ccc.demo")

    # The menu's counts arrive by htmx; « Non attribués » opens the view.
    page.get_by_test_id("views-menu-button").click()
    entry = page.get_by_test_id("menu-view-non-attribues")
    expect(entry).to_contain_text(re.compile(r"Non attribués\s*\d+"))
    entry.click()
    expect(page.get_by_role("heading", level=1, name="Non attribués")).to_be_visible()
    first_row = page.locator("[data-row]").first
    expect(first_row.get_by_test_id("assignee")).to_have_text("Personne")
    expect(page.get_by_test_id("procedure").first).not_to_contain_text("-")  # labels, not codes

    page.get_by_role("button", name="Prendre le suivant").click()
    flash = page.get_by_test_id("flash")
    expect(flash).to_contain_text(re.compile(r"Vous avez pris ANEF-\d{4}-\d{6}"))
    expect(flash).to_have_attribute("role", "status")
    taken = REFERENCE.search(flash.inner_text())
    assert taken is not None
    expect(page.locator("main h1").first).to_contain_text(taken.group())

    # A list sorted oldest first: the ticket page walks it forwards and backwards.
    page.goto(f"{live_server.url}/recherche")
    page.get_by_label("Recherche").first.fill("Zébulon")
    page.get_by_label("Tri", exact=True).select_option("anciens")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("[data-row]")).to_have_count(3)
    page.locator("[data-row-link]").first.click()
    expect(page.locator("main h1").first).to_contain_text(subjects[0])
    page.get_by_test_id("next-ticket").click()
    expect(page.locator("main h1").first).to_contain_text(subjects[1])
    page.get_by_test_id("next-ticket").click()
    expect(page.locator("main h1").first).to_contain_text(subjects[2])
    page.get_by_test_id("previous-ticket").click()
    expect(page.locator("main h1").first).to_contain_text(subjects[1])
    page.get_by_test_id("next-ticket").click()
    page.get_by_test_id("next-ticket").click()
    expect(page.get_by_test_id("flash")).to_contain_text("dernier ticket de la liste")
    expect(page.locator("[data-row]")).to_have_count(3)

    # Save the view with a name; it comes back in the menu.
    page.goto(f"{live_server.url}/vues/non-attribues")
    page.get_by_label("Nom de la vue").fill("Mes non attribués")
    page.get_by_role("button", name="Enregistrer la vue").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Vue « Mes non attribués » enregistrée")
    expect(page.get_by_role("heading", level=1, name="Non attribués")).to_be_visible()
    page.get_by_test_id("views-menu-button").click()
    expect(page.get_by_test_id("menu-saved-view")).to_contain_text("Mes non attribués")
    assert errors == []
