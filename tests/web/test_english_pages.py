"""The public pages in English: help centre, article, contact form, follow-up page, dossier
status and the reply e-mail speak English, and no French label of the interface leaks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from kb.helpers import add_article
from sqlalchemy.engine import Engine
from sqlmodel import select

from helpdesk.i18n import LOCALE_DIR
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.models import MessageKind, Ticket
from helpdesk.tickets.service import add_message

from conftest import WebClient, make_settings
from factories import make_agent
from support.api_keys import partner_headers
from support.dossier_service import EVENTS_SECRET, REFERENCE_TOKEN, demo, reference_service

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# Labels of the interface each page must show in English, never in French.
LABELS = {
    "/aide?lang=en": {
        "Centre d'aide": "Help centre",
        "Rechercher dans le centre d'aide": "Search the help centre",
        "Par exemple : mot de passe oublié": "For example: forgotten password",
        "Tous les articles": "All articles",
        "Menu principal": "Main menu",
        "Contacter le centre de contact": "Contact the contact centre",
        "Accès rapide": "Quick access",
        "Accessibilité : partiellement conforme": "Accessibility: partially compliant",
    },
    "/aide?lang=en&q=zzzz": {
        "Résultats pour": "Results for",
        "Aucun article ne correspond à votre recherche": "No article matches your search",
    },
    "/aide/lost-receipt": {
        "Cette réponse vous a-t-elle aidé ?": "Was this answer helpful?",
        "Retour au centre d'aide": "Back to the help centre",
        "Mis à jour le": "Updated on",
        "vous êtes ici :": "you are here:",
        "Oui": "Yes",
    },
    "/contact?lang=en": {
        "Téléprocédure concernée": "Online procedure concerned",
        "Protection internationale": "International protection",
        "Titre de séjour étudiant": "Student residence permit",
        "Question sur ma démarche": "Question about my application",
        "Envoyer ma demande": "Send my request",
    },
    "{follow_up}": {
        "Suivi de votre demande": "Follow-up of your request",
        "Vos échanges avec le centre de contact": "Your messages with the contact centre",
        "Centre de contact": "Contact centre",
        "Voir l'état de votre dossier": "See the status of your file",
    },
    "{follow_up}/dossier": {
        "Votre dossier": "Your file",
        "Retour au suivi de votre demande": "Back to the follow-up of your request",
        "Votre titre est disponible": "Your permit is ready",
        "Titre de séjour étudiant": "Student residence permit",
    },
}


class ShownText(HTMLParser):
    """The text a reader gets from a page (with titles, labels and placeholders), leaving out
    scripts and whatever is marked as written in another language (lang="fr" links, bodies)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag in ("script", "style") or values.get("lang", self.lang) != self.lang
        if tag == "html":
            hidden = False
        if not (hidden or self._hidden()):
            self.parts += [str(values[name]) for name in SHOWN_ATTRIBUTES if values.get(name)]
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)

    @classmethod
    def of(cls, page: str, lang: str = "en") -> str:
        parser = cls(lang)
        parser.feed(page)
        return re.sub(r"\s+", " ", " ".join(parser.parts))


def french_interface_words() -> set[str]:
    """French texts of the catalog whose English differs (long enough not to match by chance)."""
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    words = set()
    for message in catalog:
        if isinstance(message.id, str) and message.id and message.string != message.id:
            for piece in re.split(r"%\(\w+\)s|\n", message.id):
                if len(piece.strip()) >= 12:
                    words.add(piece.strip())
    return words


@pytest.fixture()
def english_usager(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[WebClient, str]]:
    """The helpdesk with the reference dossier service, an English article, and an English
    request on a dossier of the requester, answered by the contact centre."""
    with reference_service(tmp_path) as reference:
        settings = make_settings(
            tmp_path,
            dossiers_url=reference.url,
            dossiers_token=REFERENCE_TOKEN,
            dossiers_cache_seconds=0,
            dossier_events_secret=EVENTS_SECRET,
        )
        with WebClient.start(sqlite_engine, settings) as web:
            with web.session() as session:
                add_article(
                    session,
                    "lost-receipt",
                    title="Lost receipt",
                    language="en",
                    body="You can replace a lost receipt online.",
                )
                session.commit()
            dossier = demo("titre_disponible", procedure="etudiant")
            body = {
                "last_name": "Smith",
                "first_name": "Jane",
                "email": dossier.contact_email,
                "procedure": "compte",
                "reason": "demarche",
                "subject": "Where is my permit?",
                "message": "Hello, I would like to know where my residence permit is. Thanks.",
                "dossier_number": dossier.number,
                "language": "en",
                "privacy_acknowledged": True,
            }
            headers = partner_headers(web, ("contact:write",))
            response = web.client.post("/api/v1/contact", json=body, headers=headers)
            assert response.status_code == 201, response.text
            token = response.json()["follow_up_url"].split("/suivi/")[1]
            with web.session() as session:
                ticket = session.exec(select(Ticket)).one()
                add_message(
                    session,
                    ticket_id=ticket.id,
                    kind=MessageKind.PUBLIC_REPLY,
                    body="Your permit is ready: please book an appointment.",
                    actor=make_agent(session),
                )
                session.commit()
            yield web, f"/suivi/{token}"


def test_the_public_pages_in_english_show_no_french_label(english_usager):
    web, follow_up = english_usager
    leaks = french_interface_words()
    for path, labels in LABELS.items():
        response = web.client.get(path.format(follow_up=follow_up))
        assert response.status_code == 200, path
        assert '<html lang="en"' in response.text, path
        shown = ShownText.of(response.text)
        for french, english in labels.items():
            assert english in shown, f"{path}: {english!r} missing"
            assert not re.search(rf"(?<!\w){re.escape(french)}(?!\w)", shown), (
                f"{path}: French {french!r} shown"
            )
        leaked = sorted(word for word in leaks if word in shown)
        assert leaked == [], f"{path}: French interface text {leaked}"
    # the timestamp of the reply reads "… at hh:mm", not "… à hh:mm"
    page = ShownText.of(web.client.get(follow_up).text)
    assert re.search(r"\d\d/\d\d/\d{4} at \d\d:\d\d", page) and " à " not in page


def test_the_switch_to_french_is_written_in_french(english_usager):
    web, follow_up = english_usager
    for path in ("/aide?lang=en", "/contact?lang=en", follow_up):
        page = web.client.get(path).text
        assert re.search(r'lang="fr" hreflang="fr"[^>]*>(Version française|Français)<', page)
    assert re.search(r'lang="en" hreflang="en"[^>]*>English version<', web.client.get("/aide").text)


def test_the_reply_email_is_in_the_requesters_language(english_usager):
    web, _follow_up = english_usager
    with web.session() as session:
        mails = session.exec(select(OutgoingMail)).all()
    reply = next(m for m in mails if "Your permit is ready" in m.body_text)
    assert reply.subject.startswith("Reply to your request ")
    assert reply.body_text.startswith("Hello,") and "Cordialement" not in reply.body_text
