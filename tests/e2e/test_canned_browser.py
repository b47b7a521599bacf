"""In chromium: a téléconseiller inserts an élément de langage at the cursor of a draft, then
applies a macro and sees what it changed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from helpdesk.seed import DEMO_PASSWORD
from helpdesk.tickets.models import Queue, Ticket

pytestmark = pytest.mark.browser

BEFORE, AFTER = "Bonjour, voici le début.", "Et voici la fin de ma réponse."


def _ccc_ticket(engine: object) -> Ticket:
    """A new or in-progress ticket of the CCC queue that the CCC owns (reply allowed)."""
    with Session(engine) as session:  # type: ignore[arg-type]
        ccc = session.exec(select(Queue).where(Queue.code == "ccc")).one()
        return session.exec(
            select(Ticket)
            .where(Ticket.queue_id == ccc.id, Ticket.owner_queue_id == ccc.id)
            .where(col(Ticket.status).in_(["new", "open"]), Ticket.language == "fr")
            .order_by(col(Ticket.id).desc())
        ).first()


def test_insert_at_the_cursor_then_apply_a_macro(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    ticket = _ccc_ticket(live_server.engine)
    assert ticket is not None
    page.goto(f"{live_server.url}/connexion")
    page.get_by_label("Adresse électronique").fill("conseiller@ccc.demo")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/tickets/{ticket.id}")

    draft = page.locator("#body")
    draft.fill(f"{BEFORE}\n{AFTER}")
    draft.evaluate(f"t => t.setSelectionRange({len(BEFORE) + 1}, {len(BEFORE) + 1})")
    picker = page.get_by_test_id("canned-picker")
    picker.get_by_label("Rechercher").fill("acuse recepion")  # typos on purpose
    item = picker.get_by_test_id("canned-item").filter(has_text="Accusé de réception")
    expect(picker.get_by_test_id("canned-item")).to_have_count(1)
    item.get_by_test_id("canned-insert").click()

    expect(draft).to_have_value(re.compile(re.escape(ticket.reference)))
    value = draft.input_value()
    assert value.startswith(BEFORE + "\n")
    assert value.endswith("\n" + AFTER)
    middle = value[len(BEFORE) : -len(AFTER)]
    assert "Nous avons bien reçu votre demande" in middle and "Camille Martin" in middle
    expect(draft).to_be_focused()
    assert page.url.endswith(f"/tickets/{ticket.id}")  # no page load: the draft stayed put

    picker.get_by_label("Rechercher").fill("relance sans réponse")
    macro = picker.get_by_test_id("canned-item").filter(has_text="Relance sans réponse")
    macro.get_by_test_id("canned-macro").click()
    flash = page.get_by_test_id("flash")
    expect(flash).to_contain_text("statut : En attente du demandeur")
    expect(flash).to_contain_text("étiquette ajoutée : relance")
    expect(page.get_by_role("status").filter(has_text="inséré")).to_have_count(1)
    # The macro's text went where the cursor was left: after the first insertion, before AFTER.
    value = page.locator("#body").input_value()
    assert value.startswith(BEFORE) and value.endswith("\n\n" + AFTER)
    first, second = value.index("Nous avons bien reçu"), value.index("Sauf erreur de notre part")
    assert first < second < value.index(AFTER)
    expect(page.get_by_test_id("status")).to_contain_text("En attente du demandeur")
    expect(page.get_by_test_id("ticket-tags")).to_contain_text("relance")
    assert errors == []
