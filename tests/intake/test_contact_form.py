"""The public contact form through the web: fields, errors, files, anti-abuse, confirmation."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from helpdesk.intake.models import DeflectionEvent, FollowUpLink
from helpdesk.intake.service import hash_token
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.attachments import attachment_path
from helpdesk.tickets.models import Attachment, Queue, Ticket
from intake.helpers import (
    MESSAGE,
    PDF,
    follow_up_path,
    jpeg_with_exif,
    png_with_text,
    reference_of,
    send,
)

from conftest import WebClient, make_settings


def settings_of(web: WebClient):
    return web.client.app.state.settings


def tickets(web: WebClient) -> list[Ticket]:
    with web.session() as session:
        return list(session.exec(select(Ticket)).all())


def test_the_form_is_accessible_in_french_and_english(web: WebClient):
    page = web.client.get("/contact")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr"' in html
    for name in (
        "last_name",
        "first_name",
        "email",
        "phone",
        "foreign_number",
        "dossier_number",
        "procedure",
        "reason",
        "subject",
        "message",
        "attachments",
        "privacy",
    ):
        assert f'for="{name}"' in html and f'id="{name}"' in html, name
    assert 'aria-describedby="email-hint"' in html
    assert 'hx-get="/aide/suggestions"' in html and 'hx-trigger="input changed delay:400ms"' in html
    assert "Voir les réponses possibles" in html
    assert '<option value="naturalisation-decret"' in html
    assert 'href="/contact?lang=en"' in html
    english = web.client.get("/contact?lang=en").text
    assert '<html lang="en"' in english
    assert "Send my request" in english and "Foreign national number" in english
    assert "<script>" not in html.replace('<script type="module"', "").replace("<script src", "")


def test_a_valid_send_opens_a_ticket_with_a_secret_follow_up_link(web: WebClient):
    response = send(web, settings_of(web))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    reference = reference_of(response.text)
    path = follow_up_path(response.text)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits in base64url
    with web.session() as session:
        ticket = session.exec(select(Ticket)).one()
        queue = session.get(Queue, ticket.queue_id)
        link = session.exec(select(FollowUpLink)).one()
        mail = session.exec(select(OutgoingMail)).one()
    assert ticket.reference == reference
    assert queue is not None and queue.code == "ccc"
    assert ticket.channel == "form" and ticket.category == "attestation"
    assert ticket.dossier_number == "9403202606060001234"
    assert ticket.requester_name == "Awa Traoré"
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert reference in mail.subject and settings_of(web).base_url + path in mail.body_text
    assert web.client.get(path).status_code == 200


def test_errors_come_back_with_the_input_kept_and_a_linked_summary(web: WebClient):
    response = send(
        web,
        settings_of(web),
        email="pas-une-adresse",
        foreign_number="12345",
        dossier_number="NA-25-1",
        message="Trop court",
        privacy=None,
        subject="Mon <b>objet</b>",
    )
    assert response.status_code == 422
    html = response.text
    summary = html[html.index('id="error-summary"') : html.index("</form>")]
    for name in ("email", "foreign_number", "dossier_number", "message", "privacy"):
        assert f'href="#{name}"' in summary, name
    assert 'id="email" name="email" value="pas-une-adresse"' in html
    assert "Mon &lt;b&gt;objet&lt;/b&gt;" in html
    assert 'aria-describedby="email-hint email-error"' in html
    assert re.search(r'id="email"[^>]*autofocus', html)
    assert "Le numéro étranger comporte 10 chiffres" in html
    assert "NA-2025-004217" in html
    assert tickets(web) == []


def test_errors_are_explained_in_english_and_htmx_gets_a_fragment(web: WebClient):
    response = send(web, settings_of(web), language="en", email="", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "<html" not in response.text
    assert "This field is required." in response.text
    assert 'id="contact-form"' in response.text


def test_the_honeypot_and_a_too_quick_send_open_no_ticket(web: WebClient):
    trapped = send(web, settings_of(web), website="http://spam.example")
    assert trapped.status_code == 200 and "ANEF-" not in trapped.text
    quick = send(web, settings_of(web), started="9999999999.forged")
    assert quick.status_code == 422
    assert "Relisez votre demande" in quick.text
    assert "awa.traore@example.org" in quick.text
    assert tickets(web) == []


def test_files_are_judged_by_content_and_images_lose_their_metadata(web: WebClient):
    files = [
        ("relevé.pdf", PDF, "application/pdf"),
        ("photo.jpg", jpeg_with_exif(), "image/jpeg"),
        ("scan.png", png_with_text(), "image/png"),
    ]
    response = send(web, settings_of(web), files=files)
    assert response.status_code == 200, response.text
    storage = settings_of(web).storage_dir
    with web.session() as session:
        stored = session.exec(select(Attachment).order_by(Attachment.id)).all()
    assert [a.content_type for a in stored] == ["application/pdf", "image/jpeg", "image/png"]
    assert all(a.message_id is not None for a in stored)
    jpeg = attachment_path(storage, stored[1]).read_bytes()
    png = attachment_path(storage, stored[2]).read_bytes()
    assert b"SecretCamera" not in jpeg and b"secret comment" not in jpeg and b"Exif" not in jpeg
    assert b"secret location" not in png
    assert Image.open(BytesIO(jpeg)).size == (16, 16)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("facture.pdf", b"<html><script>alert(1)</script>", "application/pdf")], "ni un PDF"),
        ([("photo.png", b"MZ\x90\x00 executable", "image/png")], "ni un PDF"),
        ([("photo.jpg", b"\xff\xd8\xff\xe0 broken jpeg", "image/jpeg")], "ni un PDF"),
        ([(f"f{i}.pdf", PDF, "application/pdf") for i in range(4)], "3 fichiers au maximum"),
        ([("gros.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")], "dépasse 5 Mo"),
    ],
)
def test_refused_files_keep_the_text_and_ask_the_files_again(web: WebClient, files, expected):
    response = send(web, settings_of(web), files=files)
    assert response.status_code == 422
    assert expected in response.text
    assert "ajoutez de nouveau" in response.text
    assert MESSAGE.replace("'", "&#39;") in response.text
    assert tickets(web) == []


def test_the_same_message_twice_within_ten_minutes_gives_the_same_ticket(web: WebClient):
    first = send(web, settings_of(web))
    again = send(web, settings_of(web), message="  " + MESSAGE.upper() + "\n")
    other = send(web, settings_of(web), message=MESSAGE + " Merci.")
    assert reference_of(first.text) == reference_of(again.text) != reference_of(other.text)
    # A repeat mints no second working link (whoever resends the same address and text
    # must not obtain one): it says the link left by e-mail; the first link still works.
    assert 'data-testid="follow-up-link"' not in again.text
    assert 'data-testid="already-received"' in again.text
    assert web.client.get(follow_up_path(first.text)).status_code == 200
    with web.session() as session:
        assert len(session.exec(select(FollowUpLink)).all()) == 2  # the first send's, other's
    assert len(tickets(web)) == 2
    with web.session() as session:
        assert len(session.exec(select(OutgoingMail)).all()) == 2


def test_too_many_sends_from_one_client_get_a_clear_429(sqlite_engine: Engine, tmp_path: Path):
    settings = make_settings(tmp_path, intake_rate_limit=2)
    with WebClient.start(sqlite_engine, settings) as web:
        for number in range(2):
            assert send(web, settings, message=f"{MESSAGE} ({number})").status_code == 200
        refused = send(web, settings, message=f"{MESSAGE} (3)")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert refused.headers["ratelimit-limit"] == "2"
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-reset"] == refused.headers["retry-after"]
        assert refused.headers["ratelimit-policy"] == f"2;w={settings.intake_rate_window_seconds}"
        assert "Trop de demandes envoyées" in refused.text
        assert "Patientez" in refused.text
        assert len(tickets(web)) == 2


def test_a_body_over_the_limit_gets_a_clear_413(web: WebClient):
    big = [
        (f"f{i}.pdf", PDF + b"0" * (5 * 1024 * 1024 + 900_000), "application/pdf") for i in range(3)
    ]
    response = send(web, settings_of(web), files=big)
    assert response.status_code == 413
    assert "Votre envoi est trop volumineux" in response.text
    assert tickets(web) == []


def test_no_javascript_button_shows_suggestions_and_keeps_the_input(web: WebClient):
    response = send(web, settings_of(web), intent="suggest")
    assert response.status_code == 200
    assert 'id="suggestions-results"' in response.text
    assert "awa.traore@example.org" in response.text
    assert 'id="error-summary"' not in response.text
    assert tickets(web) == []


def test_deflection_beacons_and_sent_suggestions_are_recorded(web: WebClient):
    token = web.csrf("/contact")
    for kind, article in (
        ("shown", "attestation-prolongation"),
        ("opened", "attestation-prolongation"),
    ):
        beacon = web.client.post(
            "/contact/evenements",
            data={
                "_csrf_token": token,
                "visit": "visit-0123456789abcdef",
                "kind": kind,
                "article": article,
                "language": "fr",
            },
        )
        assert beacon.status_code == 204
    web.client.post(
        "/contact/evenements", data={"_csrf_token": token, "visit": "x", "kind": "opened"}
    )
    send(web, settings_of(web), shown="attestation-prolongation,<script>")
    with web.session() as session:
        events = session.exec(select(DeflectionEvent).order_by(DeflectionEvent.id)).all()
    assert [(e.kind, e.article) for e in events] == [
        ("shown", "attestation-prolongation"),
        ("opened", "attestation-prolongation"),
        ("sent", "attestation-prolongation"),
    ]
    assert events[-1].ticket_id is not None


def test_the_procedure_is_not_asked_when_a_dossier_number_is_given():
    from helpdesk.intake.schemas import check_contact

    values = {
        "last_name": "Traoré",
        "first_name": "Awa",
        "email": "awa@example.org",
        "phone": "",
        "foreign_number": "",
        "dossier_number": "9403202606060001234",
        "procedure": "",
        "reason": "attestation",
        "subject": "Mon attestation",
        "message": "Mon attestation de prolongation a expiré hier, que dois-je faire ?",
        "language": "fr",
    }
    assert check_contact(values, acknowledged=True, lang="fr").errors == {}
    without_number = check_contact({**values, "dossier_number": ""}, acknowledged=True, lang="fr")
    assert "procedure" in without_number.errors
