"""The public "Données personnelles" page: French and English, durations from the settings,
linked from every public page's footer and from the contact form's privacy notice."""

from __future__ import annotations

from pathlib import Path

from conftest import WebClient, make_settings


def test_the_page_states_the_durations_of_the_settings_in_french(web: WebClient):
    page = web.client.get("/donnees-personnelles")
    assert page.status_code == 200
    assert '<html lang="fr"' in page.text
    assert "Combien de temps les gardons-nous ?" in page.text
    assert "supprimées 1 an après la clôture" in page.text  # attachments, 365 days
    assert "effacés 2 ans après la clôture" in page.text  # tickets, 730 days
    assert "3 mois après leur envoi" in page.text  # e-mails, 90 days
    assert 'href="/contact"' in page.text


def test_the_english_page(web: WebClient):
    redirect = web.client.get("/personal-data", follow_redirects=False)
    assert redirect.headers["location"] == "/donnees-personnelles?lang=en"
    page = web.client.get("/donnees-personnelles?lang=en")
    assert '<html lang="en"' in page.text
    assert "How long do we keep them?" in page.text
    assert "erased 2 years after your request is closed" in page.text
    assert 'href="/contact?lang=en"' in page.text


def test_other_durations_are_worded_from_the_settings(sqlite_engine, tmp_path: Path):
    settings = make_settings(
        tmp_path, retention_closed_ticket_days=1095, retention_attachment_days=45
    )
    with WebClient.start(sqlite_engine, settings) as web:
        page = web.client.get("/donnees-personnelles").text
        contact = web.client.get("/contact").text
    assert "effacés 3 ans après" in page and "supprimées 45 jours après" in page
    assert "supprimées 45 jours après la clôture" in contact


def test_public_pages_link_the_page(web: WebClient):
    for path, link in (
        ("/contact", "/donnees-personnelles"),
        ("/aide", "/donnees-personnelles"),
        ("/aide?lang=en", "/donnees-personnelles?lang=en"),
        ("/connexion", "/donnees-personnelles"),
    ):
        text = web.client.get(path).text
        assert f'href="{link}" data-testid="personal-data-link"' in text, path
    contact = web.client.get("/contact?lang=en").text
    assert 'href="/donnees-personnelles?lang=en" data-testid="privacy-page-link"' in contact
    assert "Learn more about your personal data and your rights" in contact
