"""In chromium, the ticket page as agents use it: the action bar, confirmations, refusals kept
on the page, replies that set the status, previews, and the answer passed down the chain."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.seed import DEMO_PASSWORD
from helpdesk.tickets.attachments import store_attachment
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Channel, Message, MessageKind, Ticket
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import create_ticket

pytestmark = pytest.mark.browser
# A 1×1 PNG and the smallest PDF a browser accepts.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = (
    b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ANSWER = "Oui : l'attestation de prolongation conserve le droit au travail."


def _new_ticket(live_server, subject: str) -> Ticket:
    """A new contact-form ticket of the demo data's usager, in the CCC queue."""
    with Session(live_server.engine) as session:
        data = NewTicket(
            channel=Channel.FORM,
            subject=subject,
            body="Bonjour, mon attestation de prolongation a expiré. Que dois-je faire ?",
            requester_name="Awa Traoré",
            requester_email="awa.traore@example.org",
            procedure="vie-privee-familiale",
        )  # type: ignore[call-arg]
        ticket = create_ticket(session, data=data)
        session.commit()
        session.refresh(ticket)
        return ticket


def _sign_in(page: Page, base_url: str, email: str, ticket_id: int) -> None:
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/connexion"))
    page.goto(f"{base_url}/tickets/{ticket_id}")


def test_a_teleconseiller_works_a_new_ticket_from_the_action_bar(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error.stack}"))
    ticket = _new_ticket(live_server, "Attestation expirée, droit au travail")
    with Session(live_server.engine) as session:
        first = session.exec(select(Message).where(Message.ticket_id == ticket.id)).one()
        storage = Path(str(live_server.engine.url.database)).parent / "attachments"
        for name, kind, data in (
            ("recepisse.png", "image/png", PNG),
            ("lettre.pdf", "application/pdf", PDF),
        ):
            store_attachment(
                session,
                storage_dir=storage,
                ticket=ticket,
                filename=name,
                content_type=kind,
                data=data,
                message_id=first.id,
            )
        session.add(
            Message(
                ticket_id=ticket.id,
                kind=MessageKind.CALL_NOTE,
                author_label="Camille Martin",
                body="Appel : l'usager rappellera.",
            )
        )
        session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server.url, "conseiller@ccc.demo", ticket.id)

    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # DSFR's accordions finish opening
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nticket page height at 1280×800: {height} px")
    assert height < 2800  # about 4,200 px before the action bar, modals and panels
    expect(page.get_by_test_id("procedure")).to_have_text("Vie privée et familiale")  # not the code
    # Every side panel is open (nothing closed yet), the dossier's search within reach.
    expect(
        page.locator("[data-testid=side-panels] [data-panel][aria-expanded=true]")
    ).to_have_count(5)
    expect(page.get_by_test_id("foreign-number-search")).to_be_visible()
    expect(page.get_by_test_id("message-label")).to_have_text(
        ["Message du demandeur", "Note d'appel"]
    )
    image = page.get_by_test_id("preview-image")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('[data-testid=preview-image]').naturalWidth") == 1
    expect(page.get_by_test_id("preview-pdf")).to_have_attribute("sandbox", "")

    # Taking the ticket with the keyboard (it answered 400 when it shared the assign form).
    page.locator("h1").first.click()
    page.keyboard.press("t")
    expect(page.get_by_test_id("flash")).to_have_text("Vous avez pris ce ticket")
    expect(page.get_by_test_id("assignee")).to_have_text("Camille Martin")

    # The action bar stays in sight while the agent scrolls.
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    box = page.get_by_test_id("action-bar").bounding_box()
    assert box is not None and 0 <= box["y"] < 10

    # A refused merge keeps the page, the reference typed and the error beside it.
    page.get_by_role("button", name="Lier ou fusionner").click()
    page.locator("#fusion-reference").fill("ANEF-2020-999999")
    page.get_by_role("button", name="Fusionner", exact=True).click()
    expect(page.get_by_test_id("refusal")).to_be_visible()
    expect(page.get_by_test_id("link-modal")).to_be_visible()
    expect(page.locator("#fusion-reference")).to_have_value("ANEF-2020-999999")
    expect(page.locator("#reference-erreur")).to_contain_text("Aucun ticket accessible")
    page.get_by_test_id("link-modal").get_by_role("button", name="Fermer").click()
    expect(page.get_by_test_id("link-modal")).to_be_hidden()

    # Reply and set the status in one action; the buttons say what they do.
    page.locator("#body").fill("Bonjour, votre droit au travail est maintenu.")
    expect(page.get_by_role("button", name="Enregistrer la note interne")).to_be_hidden()
    page.get_by_role("button", name="Envoyer et mettre en attente").click()
    expect(page.get_by_test_id("flash")).to_have_text(
        "Réponse envoyée à l'usager ; statut : En attente du demandeur"
    )
    expect(page.get_by_test_id("status")).to_have_text("En attente du demandeur")
    page.locator("label[for=kind-note]").click()
    expect(page.get_by_role("button", name="Enregistrer la note interne")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer et résoudre")).to_be_hidden()

    # The hand-over (h) shows only the fields the move needs.
    page.locator("h1").first.click()
    page.keyboard.press("h")
    modal = page.get_by_test_id("handover-modal")
    expect(modal).to_be_visible()
    expect(page.locator("#to_queue")).to_be_focused()
    page.locator("#to_queue").select_option("dp-anef")
    expect(modal.locator("#question")).to_be_visible()
    expect(modal.locator("#answer")).to_be_hidden()
    modal.locator("#reason").fill("Question sur le droit au travail")
    modal.locator("#checked").fill("Dossier déposé à temps")
    modal.locator("#question").fill("Le droit au travail est-il maintenu ?")
    modal.get_by_role("button", name="Transmettre").click()
    expect(page.get_by_test_id("flash")).to_have_text("Ticket transmis à la DP ANEF")
    expect(page.get_by_test_id("history")).to_contain_text("CCC → DP ANEF")
    assert errors == []


def test_the_answer_from_sdst_goes_down_without_being_retyped(page: Page, live_server):
    ticket = _new_ticket(live_server, "Droit au travail pendant le renouvellement")
    summary = {"checked": "Dossier complet", "question": "Le droit au travail est-il maintenu ?"}
    with Session(live_server.engine) as session:
        agents = {a.email: a for a in session.exec(select(Agent)).all()}
        for email, target, extra in (
            ("conseiller@ccc.demo", "dp-anef", summary),
            ("agent@dp-anef.demo", "sdst", summary),
            ("agent@sdst.demo", "dp-anef", {"answer": ANSWER}),
        ):
            hand_over(
                session,
                ticket_id=ticket.id,
                to_queue_code=target,
                reason="Motif",  # type: ignore[arg-type]
                actor=agents[email],
                **extra,
            )
            session.commit()
    _sign_in(page, live_server.url, "agent@dp-anef.demo", ticket.id)
    expect(page.locator("[data-kind=internal_note]").last).to_contain_text("Réponse du SDST")
    page.get_by_test_id("action-bar").get_by_role("button", name="Transmettre").click()
    modal = page.get_by_test_id("handover-modal")
    expect(modal.locator("#to_queue")).to_have_value("ccc")
    expect(modal.locator("#answer")).to_have_value(ANSWER)
    expect(modal.locator("#checked")).to_be_hidden()
    modal.get_by_role("button", name="Transmettre").click()
    expect(page.get_by_test_id("flash")).to_have_text("Réponse renvoyée au CCC")

    page.context.clear_cookies()
    _sign_in(page, live_server.url, "conseiller@ccc.demo", ticket.id)
    expect(page.get_by_test_id("answer-received")).to_be_visible()
    expect(page.locator("[data-kind=internal_note]").last).to_contain_text("Réponse de la DP ANEF")
    expect(page.locator("#body")).to_have_value(ANSWER)
    page.get_by_role("button", name="Envoyer la réponse à l'usager").click()
    expect(page.get_by_test_id("flash")).to_have_text("Réponse envoyée à l'usager")
    expect(page.get_by_test_id("answer-received")).to_have_count(0)
    expect(page.locator("[data-kind=public_reply]").last).to_contain_text(ANSWER)


def test_without_javascript_every_form_is_in_the_page_and_says_what_it_does(
    browser: Browser, live_server
):
    ticket = _new_ticket(live_server, "Sans JavaScript")
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    _sign_in(page, live_server.url, "conseiller@ccc.demo", ticket.id)
    for testid in ("assign-form", "status-form", "handover-form", "merge-form", "link-form"):
        expect(page.get_by_test_id(testid)).to_be_visible()
    expect(page.get_by_test_id("handover-form").locator("#answer")).to_be_visible()  # all fields
    expect(page.locator("#kind-reply")).to_be_hidden()  # the buttons say the kind
    page.locator("#body").fill("Dossier vérifié, en attente du retour de l'usager.")
    page.get_by_role("button", name="Enregistrer la note interne").click()
    expect(page.get_by_test_id("flash")).to_have_text("Note interne enregistrée")
    expect(page.locator("[data-kind=internal_note]").last).to_contain_text("Dossier vérifié")
    context.close()
