"""The wiki over HTTP: every read path per profile, editor flows, CSRF, live refresh, feedback."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from kb.helpers import add_article, make_editor, make_referent
from sqlmodel import select

from helpdesk.db import utcnow
from helpdesk.kb.models import Article, ArticleFeedback, ArticleRevision, ArticleStatus
from helpdesk.tickets.models import Ticket

from conftest import WebClient
from factories import make_agent, make_ticket

HOSTILE = """Texte utile.

<script>alert('x')</script>
<img src="/static/x.png" onerror="alert(1)">
[piège](javascript:alert(2)) <a href="javascript:alert(3)">lien</a>
<div hx-get="/admin/travaux" hx-trigger="load" data-hx-post="/deconnexion">zone</div>
<iframe src="https://evil.example/"></iframe>
<p style="position:fixed">stylé</p>
"""
ARTICLES = {
    "recepisse-public": {},
    "recepisse-agents": {"audience": "agents"},
    "recepisse-referents": {"audience": "referents"},
    "recepisse-brouillon": {"status": ArticleStatus.DRAFT},
    "recepisse-archive": {"status": ArticleStatus.ARCHIVED},
}
READABLE = {
    "editor": set(ARTICLES),
    "agent": {"recepisse-public", "recepisse-agents"},
    "referent": {"recepisse-public", "recepisse-referents"},
    "anonymous": set(),
}
PUBLIC = {"recepisse-public"}
QUERY = "récépissé perdu"


@pytest.fixture()
def wiki(web: WebClient, run_jobs: Callable[[], None]) -> dict[str, str]:
    """Articles of every audience and status, indexed; one agent of each profile."""
    with web.session() as session:
        emails = {
            "editor": make_editor(session).email,
            "agent": make_agent(session).email,
            "referent": make_referent(session).email,
        }
        for slug, overrides in ARTICLES.items():
            add_article(session, slug, title=f"Récépissé perdu ({slug})", **overrides)
        session.commit()
    run_jobs()
    return emails


def sign_in(web: WebClient, who: str, emails: dict[str, str]) -> None:
    if who != "anonymous":
        assert web.sign_in(emails[who]).status_code == 303


def slugs_in(page: str, prefix: str) -> set[str]:
    return set(re.findall(rf'href="{prefix}/(recepisse-[a-z]+)', page))


def article_body(page: str) -> str:
    match = re.search(r'data-testid="article-body">(.*?)</div>', page, re.DOTALL)
    assert match, "no article body"
    return match.group(1)


@pytest.mark.parametrize("who", ["editor", "agent", "referent", "anonymous"])
def test_every_read_path_shows_only_what_the_reader_may_read(
    web: WebClient, wiki: dict[str, str], who: str
):
    sign_in(web, who, wiki)
    readable = READABLE[who]
    for slug in ARTICLES:
        response = web.client.get(f"/kb/{slug}", follow_redirects=False)
        if who == "anonymous":
            assert response.status_code == 302 and "/connexion" in response.headers["location"]
        else:
            assert response.status_code == (200 if slug in readable else 404), slug
        public = web.client.get(f"/aide/{slug}")
        assert public.status_code == (200 if slug in PUBLIC else 404), slug
    if who != "anonymous":
        assert slugs_in(web.client.get("/kb").text, "/kb") == readable
        assert slugs_in(web.client.get("/kb", params={"q": QUERY}).text, "/kb") == readable
        published = readable - {"recepisse-brouillon", "recepisse-archive"}
        suggestions = web.client.get("/kb/suggestions", params={"q": QUERY}).text
        assert slugs_in(suggestions, "/kb") == published
    assert slugs_in(web.client.get("/aide", params={"q": QUERY}).text, "/aide") == PUBLIC
    assert slugs_in(web.client.get("/aide", params={"lang": "en"}).text, "/aide") == set()
    fragment = web.client.get("/aide/suggestions", params={"q": QUERY, "lang": "fr"}).text
    assert slugs_in(fragment, "/aide") == PUBLIC


@pytest.mark.parametrize("who", ["agent", "referent"])
def test_history_and_diff_are_for_editors_only(web: WebClient, wiki: dict[str, str], who: str):
    sign_in(web, who, wiki)
    for path in ("historique", "diff?de=1&vers=1", "modifier"):
        assert web.client.get(f"/kb/recepisse-public/{path}").status_code == 404
    assert web.client.get("/kb/nouveau").status_code == 403
    assert web.client.get("/kb/lacunes").status_code == 403
    response = web.post_form("/kb/recepisse-public/archiver", {}, page="/kb/recepisse-public")
    assert response.status_code == 404


def test_suggestions_need_sign_in_and_ignore_empty_or_huge_text(
    web: WebClient, wiki: dict[str, str]
):
    response = web.client.get("/kb/suggestions?q=recepisse", follow_redirects=False)
    assert response.status_code == 302
    sign_in(web, "agent", wiki)
    assert "data-slug" not in web.client.get("/kb/suggestions?q=").text
    huge = "x" * 2000 + " " + QUERY
    assert "data-slug" not in web.client.get("/kb/suggestions", params={"q": huge}).text
    assert "data-slug" not in web.client.get("/aide/suggestions", params={"q": "   "}).text


def test_hostile_markdown_is_sanitised_on_both_article_pages(web: WebClient, wiki: dict[str, str]):
    with web.session() as session:
        add_article(session, "piege", title="Article piégé", body=HOSTILE)
        session.commit()
    sign_in(web, "agent", wiki)
    for path in ("/kb/piege", "/aide/piege"):
        page = web.client.get(path)
        assert page.status_code == 200
        body = article_body(page.text).lower()
        assert "texte utile" in body and "zone" in body
        for forbidden in ("<script", "onerror", 'href="javascript', "alert(3)", "hx-get",
                          "hx-trigger", "data-hx-post", "<iframe", "style="):  # fmt: skip
            assert forbidden not in body, (path, forbidden)


def test_an_editor_writes_publishes_and_the_suggestions_follow_without_restart(
    web: WebClient, wiki: dict[str, str], run_jobs: Callable[[], None]
):
    sign_in(web, "editor", wiki)
    form = {
        "slug": "carte-bloquee-guichet",
        "title": "Carte de séjour bloquée au guichet",
        "body": "Votre **carte** est bloquée : contactez la préfecture.",
        "audience": "agents",
        "language": "fr",
        "procedures": ["carte-resident", "transverse"],
        "tags": "carte, guichet",
        "comment": "Première version",
    }
    created = web.post_form("/kb", form, page="/kb/nouveau")
    assert created.status_code == 303
    assert created.headers["location"] == "/kb/carte-bloquee-guichet?message=cree"
    page = web.client.get("/kb/carte-bloquee-guichet")
    assert "Brouillon" in page.text and "<strong>carte</strong>" in page.text
    query = {"q": "carte bloquee guichet"}
    assert "carte-bloquee-guichet" not in web.client.get("/kb/suggestions", params=query).text

    published = web.post_form(
        "/kb/carte-bloquee-guichet/publier", {}, page="/kb/carte-bloquee-guichet"
    )
    assert published.status_code == 303
    run_jobs()
    assert "carte-bloquee-guichet" in web.client.get("/kb/suggestions", params=query).text

    archived = web.post_form(
        "/kb/carte-bloquee-guichet/archiver", {}, page="/kb/carte-bloquee-guichet"
    )
    assert archived.status_code == 303
    run_jobs()
    assert "carte-bloquee-guichet" not in web.client.get("/kb/suggestions", params=query).text
    with web.session() as session:
        article = session.exec(select(Article).where(Article.slug == "carte-bloquee-guichet")).one()
        assert article.procedures == ["carte-resident", "transverse"]
        assert article.tags == ["carte", "guichet"]


def test_edit_history_diff_and_restore_through_the_pages(web: WebClient, wiki: dict[str, str]):
    sign_in(web, "editor", wiki)
    edit_page = web.client.get("/kb/recepisse-public/modifier").text
    assert 'name="base_revision" value="1"' in edit_page
    form = {
        "title": "Récépissé perdu : la marche à suivre",
        "body": "Le récépissé perdu se remplace en ligne.\n\nAppelez le 0 806 001 620.",
        "audience": "public",
        "language": "fr",
        "procedures": "duplicata",
        "tags": "recepisse, perte",
        "comment": "Numéro de téléphone",
        "base_revision": "1",
    }
    saved = web.post_form(
        "/kb/recepisse-public/modifier", form, page="/kb/recepisse-public/modifier"
    )
    assert saved.headers["location"] == "/kb/recepisse-public?message=enregistre"
    stale = web.post_form(
        "/kb/recepisse-public/modifier", form, page="/kb/recepisse-public/modifier"
    )
    assert stale.status_code == 409
    assert "Quelqu'un a modifié cet article" in html.unescape(stale.text)
    assert "Appelez le 0 806 001 620." in stale.text  # the editor's text is kept

    history = web.client.get("/kb/recepisse-public/historique").text
    assert 'data-revision="2"' in history and "Numéro de téléphone" in history
    diff = web.client.get("/kb/recepisse-public/diff?de=1&vers=2").text
    assert "la marche à suivre" in diff and "<ins>" in diff
    assert web.client.get("/kb/recepisse-public/diff?de=1&vers=7").status_code == 404

    restored = web.post_form(
        "/kb/recepisse-public/historique/1/restaurer", {}, page="/kb/recepisse-public/historique"
    )
    assert restored.headers["location"] == "/kb/recepisse-public?message=restaure"
    with web.session() as session:
        numbers = session.exec(
            select(ArticleRevision.number).join(Article).where(Article.slug == "recepisse-public")
        ).all()
        assert sorted(numbers) == [1, 2, 3]
        article = session.exec(select(Article).where(Article.slug == "recepisse-public")).one()
        assert article.title == "Récépissé perdu (recepisse-public)"


def test_an_invalid_form_comes_back_with_the_errors(web: WebClient, wiki: dict[str, str]):
    sign_in(web, "editor", wiki)
    response = web.post_form(
        "/kb", {"slug": "Pas Bon", "title": "", "body": "x"}, page="/kb/nouveau"
    )
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.text
    assert "lettres minuscules sans accents" in response.text


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/kb", "editor"),
        ("/kb/recepisse-public/modifier", "editor"),
        ("/kb/recepisse-brouillon/publier", "editor"),
        ("/kb/recepisse-public/archiver", "editor"),
        ("/kb/recepisse-public/historique/1/restaurer", "editor"),
        ("/kb/recepisse-public/utilise", "agent"),
        ("/aide/recepisse-public/avis", "anonymous"),
    ],
)
def test_every_new_form_needs_its_csrf_token(
    web: WebClient, wiki: dict[str, str], path: str, who: str
):
    sign_in(web, who, wiki)
    response = web.client.post(path, data={"helpful": "oui", "title": "x"}, follow_redirects=False)
    assert response.status_code == 403
    with web.session() as session:
        assert session.exec(select(ArticleFeedback)).all() == []
        brouillon = session.exec(select(Article).where(Article.slug == "recepisse-brouillon")).one()
        assert brouillon.status == ArticleStatus.DRAFT


def test_public_feedback_is_recorded_and_thanked(web: WebClient, wiki: dict[str, str]):
    response = web.post_form(
        "/aide/recepisse-public/avis", {"helpful": "oui"}, page="/aide/recepisse-public"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/aide/recepisse-public?avis=merci#avis"
    thanked = web.client.get("/aide/recepisse-public?avis=merci")
    assert "Merci pour votre avis" in thanked.text
    web.post_form(
        "/aide/recepisse-public/avis",
        {"helpful": "non", "lang": "en"},
        page="/aide/recepisse-public",
    )
    refused = web.post_form(
        "/aide/recepisse-agents/avis", {"helpful": "oui"}, page="/aide/recepisse-public"
    )
    assert refused.status_code == 404
    with web.session() as session:
        kinds = sorted(f.kind for f in session.exec(select(ArticleFeedback)))
    assert kinds == ["helpful", "not_helpful"]


def test_agents_record_an_article_used_in_a_reply(web: WebClient, wiki: dict[str, str]):
    with web.session() as session:
        ticket = make_ticket(session)
        session.commit()
    sign_in(web, "agent", wiki)
    response = web.post_form(
        "/kb/recepisse-agents/utilise", {"ticket_id": str(ticket.id)}, page="/kb/recepisse-agents"
    )
    assert response.headers["location"] == "/kb/recepisse-agents?message=utilise"
    assert web.post_form("/kb/recepisse-referents/utilise", {}, page="/kb").status_code == 404
    assert (
        web.post_form("/kb/recepisse-agents/utilise", {"ticket_id": "999"}, page="/kb").status_code
        == 404
    )
    with web.session() as session:
        rows = session.exec(select(ArticleFeedback)).all()
    assert [(r.kind, r.ticket_id) for r in rows] == [("used_in_reply", ticket.id)]


def test_the_help_centre_speaks_french_and_english(web: WebClient, wiki: dict[str, str]):
    with web.session() as session:
        add_article(
            session, "lost-receipt", title="Lost receipt", language="en", body="Replace it online."
        )
        session.commit()
    french = web.client.get("/aide")
    assert french.status_code == 200 and '<html lang="fr"' in french.text
    assert "Centre d'aide" in html.unescape(french.text) and "Rechercher" in french.text
    assert web.client.get("/help", follow_redirects=False).headers["location"] == "/aide?lang=en"
    english = web.client.get("/aide?lang=en")
    assert '<html lang="en"' in english.text and "Help centre" in english.text
    assert slugs_in(english.text, "/aide") == set() and "/aide/lost-receipt?lang=en" in english.text
    article = web.client.get("/aide/lost-receipt")
    assert "Was this answer helpful?" in article.text
    french_article = web.client.get("/aide/recepisse-public")
    assert "Cette réponse vous a-t-elle aidé ?" in french_article.text
    assert 'href="/aide"' in french_article.text  # the "Aide" link of anonymous visitors


def test_the_gaps_page_groups_unanswered_tickets(web: WebClient, wiki: dict[str, str]):
    with web.session() as session:
        answered = make_ticket(session, subject="Récépissé perdu", body="J'ai perdu mon récépissé.")
        printers = [
            make_ticket(session, subject=s, body="Rien ne sort.")
            for s in ("Imprimante du guichet en panne", "imprimante guichet en panne !")
        ]
        cooling = make_ticket(
            session, subject="Climatisation de la salle d'attente", body="Il fait chaud."
        )
        old = make_ticket(session, subject="Imprimante du guichet en panne", body="Rien.")
        session.get(Ticket, old.id).created_at = utcnow() - timedelta(days=40)
        session.commit()
    sign_in(web, "editor", wiki)
    page = web.client.get("/kb/lacunes").text
    rows = re.findall(r'<tr data-testid="gap">(.*?)</tr>', page, re.DOTALL)
    assert len(rows) == 2
    assert "Imprimante du guichet en panne" in rows[0] and 'class="gap-count">2<' in rows[0]
    assert all(t.reference in rows[0] for t in printers)
    assert cooling.reference in rows[1] and 'class="gap-count">1<' in rows[1]
    assert answered.reference not in page and old.reference not in page


def test_the_agent_navigation_links_to_the_knowledge_base(web: WebClient, wiki: dict[str, str]):
    sign_in(web, "agent", wiki)
    home = web.client.get("/").text
    assert '<a class="fr-nav__link" href="/kb"' in home
    kb = web.client.get("/kb").text
    assert "Nouvel article" not in kb and 'href="/kb/lacunes"' not in kb
