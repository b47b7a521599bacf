"""The public suggestions asked while usagers type: thin, cached, safe with any input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from kb.helpers import add_article, content
from sqlalchemy.engine import Engine

from helpdesk.db import make_engine
from helpdesk.kb import service
from helpdesk.kb.public_suggest import query_key

from conftest import WebClient, make_settings
from support.statements import counted

QUERY = "récépissé perdu remplacer"


def suggest(web: WebClient, q: str, lang: str = "fr"):
    return web.client.get("/aide/suggestions", params={"q": q, "lang": lang})


@pytest.fixture()
def public_web(any_web: WebClient, run_any_jobs: Callable[[], None]) -> WebClient:
    """The app on SQLite and PostgreSQL with two public articles, the index up to date."""
    for slug, title, tags in (
        ("recepisse-perdu", "Récépissé perdu : que faire ?", ("recepisse", "perte")),
        ("titre-vole", "Titre de séjour volé", ("vol",)),
    ):
        with any_web.session() as session:
            add_article(session, slug, title=title, tags=tags)
            session.commit()
        run_any_jobs()  # one at a time: two first bumps of the index version would collide
    return any_web


@pytest.fixture()
def run_any_jobs(any_web: WebClient) -> Callable[[], None]:
    """Run the queued jobs; the index looks at its version on every read."""
    app = any_web.client.app
    app.state.kb_index.check_interval = 0.0

    def run() -> None:
        app.state.jobs.start_worker()
        app.state.jobs.join()

    return run


def test_suggestions_run_no_statement_and_set_no_cookie(public_web: WebClient):
    first = suggest(public_web, QUERY)
    assert 'data-slug="recepisse-perdu"' in first.text
    public_web.client.app.state.kb_index.check_interval = 3600.0
    with counted(public_web.engine) as statements:
        for n in range(20):  # misses (new prefixes) and hits alike
            response = suggest(public_web, QUERY[: 5 + n % 12])
            assert response.status_code == 200
        again = suggest(public_web, QUERY)
    assert statements == []
    assert again.text == first.text
    assert "set-cookie" not in again.headers and not public_web.client.cookies
    assert again.headers["cache-control"] == "max-age=60, public"
    assert again.headers["content-type"].startswith("text/html")
    assert again.headers["x-content-type-options"] == "nosniff"  # security headers still on


def test_suggestions_answer_while_the_database_is_unreachable(public_web: WebClient):
    assert 'data-slug="recepisse-perdu"' in suggest(public_web, QUERY).text
    live = public_web.client.app.state.kb_index
    unreachable = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    live.engine, live.check_interval = unreachable, 0.0
    try:
        for query in (QUERY, "titre de séjour volé", "tout autre chose"):
            response = suggest(public_web, query)
            assert response.status_code == 200, response.text
        assert 'data-slug="titre-vole"' in suggest(public_web, "titre sejour vole").text
    finally:
        unreachable.dispose()


def test_the_cache_follows_article_changes(public_web: WebClient, run_any_jobs: Callable[[], None]):
    query = "carte bloquée au guichet préfecture"
    assert "carte-bloquee" not in suggest(public_web, query).text  # cached as "nothing"
    with public_web.session() as session:
        article = add_article(
            session,
            "carte-bloquee",
            title="Carte de séjour bloquée au guichet",
            tags=("carte", "guichet", "prefecture"),
        )
        session.commit()
        article_id = article.id
    run_any_jobs()
    assert 'data-slug="carte-bloquee"' in suggest(public_web, query).text
    with public_web.session() as session:
        service.update_article(
            session,
            article_id=article_id or 0,
            content=content(title="Carte bloquée : la démarche", tags=("carte", "guichet")),
            actor=None,
        )
        session.commit()
    run_any_jobs()
    assert "Carte bloquée : la démarche" in suggest(public_web, query).text
    with public_web.session() as session:
        service.archive(session, article_id=article_id or 0, actor=None)
        session.commit()
    run_any_jobs()
    assert "carte-bloquee" not in suggest(public_web, query).text


@pytest.mark.parametrize(
    "raw_query",
    [
        "q=%ff%fe%fd",  # not UTF-8
        "q=r%C3%A9c%C3%A9piss%C3%A9%E2%28%A1",  # valid, then a broken sequence
        "q=%00%00r%C3%A9c%C3%A9piss%C3%A9%00",  # NUL bytes
        "q=" + "r%C3%A9c%C3%A9piss%C3%A9+" * 2000,  # far longer than any form sends
        "q=recepisse&lang=%ff",
        "q=&q=recepisse",
        "lang=en",
    ],
)
def test_bad_input_gets_a_polite_answer(public_web: WebClient, raw_query: str):
    response = public_web.client.get(f"/aide/suggestions?{raw_query}")
    assert response.status_code == 200
    assert response.text.startswith('<div class="help-suggestions"')


def test_what_is_typed_is_escaped(web: WebClient, tmp_path: Path):
    with web.session() as session:
        add_article(session, "piege-titre", title="Récépissé <script>alert(1)</script> perdu")
        session.commit()
    web.client.app.state.kb_index.check_interval = 0.0
    web.client.app.state.jobs.start_worker()
    web.client.app.state.jobs.join()
    html = suggest(web, "récépissé perdu <script>alert(2)</script>").text
    assert 'data-slug="piege-titre"' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "alert(2)" not in html


def test_queries_that_differ_only_in_spacing_or_case_share_an_entry():
    assert query_key("  Récépissé\n\tPERDU \0 ") == query_key("récépissé perdu")
    assert query_key("x" * 5000) == "x" * 2000
    assert query_key("") == ""


def test_each_language_has_its_own_entry(tmp_path: Path, sqlite_engine: Engine):
    with WebClient.start(sqlite_engine, make_settings(tmp_path)) as web:
        with web.session() as session:
            add_article(session, "lost-receipt", title="Lost receipt", language="en")
            add_article(session, "recepisse-perdu")
            session.commit()
        web.client.app.state.jobs.start_worker()
        web.client.app.state.jobs.join()
        web.client.app.state.kb_index.check_interval = 0.0
        french = suggest(web, "récépissé perdu lost receipt", "fr").text
        english = suggest(web, "récépissé perdu lost receipt", "en").text
        assert 'lang="fr"' in french and 'lang="en"' in english
        assert french != english
