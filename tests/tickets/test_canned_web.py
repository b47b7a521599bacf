"""The éléments de langage through the web stack: the picker on the ticket page, text to insert,
the no-JavaScript fallbacks that keep the draft, macros, tags and the management page."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from helpdesk.auth.models import Role
from helpdesk.ticket_routing.models import TicketTag
from helpdesk.tickets import canned
from helpdesk.tickets.models import Ticket

from conftest import WebClient
from factories import PASSWORD, make_agent, make_ticket


@pytest.fixture()
def desk(web: WebClient):
    """A CCC supervisor and agent (signed in), a ticket and two éléments, one a macro."""
    with web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR, email="chef@ccc.test")
        advisor = make_agent(session, email="camille@ccc.test")
        ticket = make_ticket(session)
        plain = canned.save(
            session,
            agent=supervisor,
            title="Accusé de réception",
            body="Bonjour {nom}, votre demande {reference} est bien reçue.",
            folder="Relances",
        )
        macro = canned.save(
            session,
            agent=supervisor,
            title="Relance usager",
            body="Merci de nous envoyer votre numéro étranger.",
            folder="Relances",
            macro_status="waiting",
            macro_priority="high",
            macro_tags="relance",
        )
        session.commit()
        ids = {"ticket": ticket.id, "plain": plain.id, "macro": macro.id, "ref": ticket.reference}
        ids["version"] = ticket.version
        ids["advisor"] = advisor.id
    web.sign_in("camille@ccc.test", PASSWORD)
    return ids


def test_the_ticket_page_offers_the_picker_and_the_text_to_insert(web: WebClient, desk):
    page = web.client.get(f"/tickets/{desk['ticket']}")
    assert page.status_code == 200
    assert 'data-testid="canned-picker"' in page.text and "Relance usager" in page.text
    assert (
        f'data-insert-url="/tickets/{desk["ticket"]}/elements/{desk["plain"]}/texte"' in page.text
    )
    text = web.post_form(
        f"/tickets/{desk['ticket']}/elements/{desk['plain']}/texte",
        {},
        page=f"/tickets/{desk['ticket']}",
    )
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.text == f"Bonjour Awa Traoré, votre demande {desk['ref']} est bien reçue."
    found = web.client.get(
        f"/tickets/{desk['ticket']}/elements",
        params={"q": "acuse receptoin", "langue": "fr"},
        headers={"HX-Request": "true", "HX-Target": "canned-results"},
    )
    assert "Accusé de réception" in found.text and "Relance usager" not in found.text
    without_js = web.client.get(f"/tickets/{desk['ticket']}/elements", params={"q": "relance"})
    assert without_js.status_code == 200 and 'id="formulaire-message"' in without_js.text
    assert "1 élément de langage." in without_js.text


def test_without_javascript_the_draft_is_kept_and_the_text_added_at_its_end(web: WebClient, desk):
    response = web.post_form(
        f"/tickets/{desk['ticket']}/elements/{desk['plain']}/inserer",
        {"body": "Début de ma réponse.", "kind": "public_reply", "version": desk["version"]},
        page=f"/tickets/{desk['ticket']}",
    )
    assert response.status_code == 200
    draft = re.search(r'<textarea[^>]*id="body"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert draft is not None
    assert draft.group(1) == (
        f"Début de ma réponse.\n\nBonjour Awa Traoré, votre demande {desk['ref']} est bien reçue."
    )
    assert 'data-testid="flash"' in response.text


def test_a_macro_changes_the_ticket_and_says_so_and_a_stale_page_changes_nothing(
    web: WebClient, desk
):
    url = f"/tickets/{desk['ticket']}/macros/{desk['macro']}"
    stale = web.post_form(
        url, {"body": "Mon brouillon", "version": desk["version"] - 1}, page="/reponses-types/"
    )
    assert stale.status_code == 409 and "Mon brouillon" in stale.text
    with web.session() as session:
        assert session.get(Ticket, desk["ticket"]).status == "new"
    draft = "Mon 🙂\r\nbrouillon"  # the cursor after the emoji: 6 UTF-16 units, as JS counts
    applied = web.post_form(url, {"body": draft, "version": desk["version"], "insert_at": "6"})
    assert applied.status_code == 200
    assert (
        "Élément « Relance usager » inséré ; statut : En attente du demandeur ; "
        "priorité : Haute ; étiquette ajoutée : relance"
    ) in applied.text
    assert "Mon 🙂\n\nMerci de nous envoyer votre numéro étranger.\n\nbrouillon" in applied.text
    with web.session() as session:
        ticket = session.get(Ticket, desk["ticket"])
        assert (ticket.status, ticket.priority) == ("waiting", "high")


def test_tags_are_added_and_removed_with_a_confirmation(web: WebClient, desk):
    base = f"/tickets/{desk['ticket']}/etiquettes"
    added = web.post_form(base, {"tag": "  À rappeler "})
    assert added.status_code == 303
    page = web.client.get(added.headers["location"])
    assert "Étiquette ajoutée : à-rappeler" in page.text and 'data-testid="tag"' in page.text
    refused = web.post_form(base, {"tag": "x" * 50})
    assert refused.status_code == 422
    assert 'id="tag-erreur"' in refused.text and 'value="' + "x" * 50 + '"' in refused.text
    removed = web.post_form(base + "/retrait", {"tag": "à-rappeler"})
    assert removed.status_code == 303
    assert "Étiquette retirée : à-rappeler" in web.client.get(removed.headers["location"]).text
    with web.session() as session:
        assert session.exec(select(TicketTag)).all() == []


def test_the_management_page_confirms_keeps_refused_input_and_deletes(web: WebClient, desk):
    assert web.client.get("/reponses-types/").status_code == 403  # an agent does not manage
    web.client.cookies.clear()
    web.sign_in("chef@ccc.test", PASSWORD)
    page = web.client.get("/reponses-types/")
    assert page.status_code == 200 and "{statut_dossier}" in page.text
    created = web.post_form(
        "/reponses-types/",
        {
            "title": "Rendez-vous",
            "body": "Bonjour {nom}",
            "folder": "Rendez-vous",
            "language": "en",
            "macro_status": "waiting",
            "active": "true",
        },
    )
    assert created.status_code == 303
    assert (
        "Élément de langage « Rendez-vous » créé"
        in web.client.get(created.headers["location"]).text
    )
    refused = web.post_form(
        "/reponses-types/", {"title": "Brouillon gardé", "body": "{inconnu}", "macro_priority": "x"}
    )
    assert refused.status_code == 422
    assert (
        'value="Brouillon gardé"' in refused.text and "Champs inconnus : {inconnu}" in refused.text
    )
    assert "Choisissez une priorité de la liste." in refused.text
    deleted = web.post_form(f"/reponses-types/{desk['plain']}/suppression", {})
    assert deleted.status_code == 303
    follow = web.client.get(deleted.headers["location"])
    assert "Élément de langage « Accusé de réception » supprimé" in follow.text
