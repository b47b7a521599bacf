"""Web hardening in production (issue 14, part 2): __Host- cookies, allowed hosts, no-store
on pages, quiet third-party loggers."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from intake.helpers import csrf_token
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine

from helpdesk.app import create_app
from helpdesk.logging import QUIET_LOGGERS, configure_logging, json_formatter, redact_identifiers
from helpdesk.web.static_assets import build_stamp

from conftest import CSRF_INPUT, WebClient, make_settings
from factories import PASSWORD, make_agent

PUBLIC_HOST = "assistance.anef.example.gouv.fr"
BASE_URL = f"https://{PUBLIC_HOST}"


@pytest.fixture()
def production(sqlite_engine: Engine, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """The application as production serves it: https address, production settings."""
    settings = make_settings(tmp_path, env="production", base_url=BASE_URL)
    app = create_app(settings, engine=sqlite_engine, run_jobs=False)
    with TestClient(app=app, base_url=BASE_URL) as client:
        yield client


def sign_in(client: TestClient[Litestar], email: str) -> None:
    page = client.get("/connexion")
    match = CSRF_INPUT.search(page.text)
    assert match
    data = {"_csrf_token": match.group(1), "email": email, "password": PASSWORD}
    response = client.post("/connexion", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def set_cookie_headers(response: object) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k.lower() == "set-cookie"]  # type: ignore[attr-defined]


def test_production_cookies_carry_the_host_prefix(production: TestClient[Litestar]):
    from sqlmodel import Session

    with Session(production.app.state.engine) as session:
        make_agent(session, email="prod@ccc.test")
        session.commit()
    csrf_cookies = set_cookie_headers(production.get("/connexion"))
    assert any(c.startswith("__Host-helpdesk_csrf=") for c in csrf_cookies), csrf_cookies
    sign_in(production, "prod@ccc.test")
    session_cookie = production.cookies.get("__Host-helpdesk_session")
    assert session_cookie
    assert "helpdesk_session" not in production.cookies  # only the prefixed name
    home = production.get("/", follow_redirects=False)
    assert home.status_code == 200  # the prefixed cookie is the one read back


def test_the_session_cookie_is_secure_host_only_and_httponly(production: TestClient[Litestar]):
    from sqlmodel import Session

    with Session(production.app.state.engine) as session:
        make_agent(session, email="cookie@ccc.test")
        session.commit()
    page = production.get("/connexion")
    token = CSRF_INPUT.search(page.text)
    assert token
    response = production.post(
        "/connexion",
        data={"_csrf_token": token.group(1), "email": "cookie@ccc.test", "password": PASSWORD},
        follow_redirects=False,
    )
    (cookie,) = [c for c in set_cookie_headers(response) if c.startswith("__Host-helpdesk_session")]
    attributes = cookie.lower()
    assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
    assert "domain=" not in attributes  # __Host- cookies may not name a domain


def test_another_host_is_refused_in_production_but_not_the_probes(
    production: TestClient[Litestar],
):
    assert production.get("/aide").status_code == 200
    forged = production.get("/aide", headers={"Host": "evil.example.org"})
    assert forged.status_code == 400
    assert production.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_pages_are_not_stored_but_static_files_may_be(web: WebClient):
    with web.session() as session:
        make_agent(session, email="cache@ccc.test")
        session.commit()
    assert web.client.get("/contact").headers["cache-control"] == "no-store"
    assert web.client.get("/aide").headers["cache-control"] == "no-store"
    web.sign_in("cache@ccc.test")
    assert web.client.get("/").headers["cache-control"] == "no-store"
    token = csrf_token(web)
    assert token
    static = web.client.get("/static/app.js")
    assert static.status_code == 200
    assert static.headers.get("cache-control") != "no-store"


def test_pages_link_static_files_by_build_stamp_cached_for_a_year(web: WebClient):
    page = web.client.get("/contact").text
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert links and all(link.startswith(f"/static/{build_stamp()}/") for link in links), links
    for link in links:
        response = web.client.get(link)
        assert response.status_code == 200, link
        assert "immutable" in response.headers["cache-control"]
        assert "max-age=31536000" in response.headers["cache-control"]
    # The DSFR stylesheet's relative links (fonts, icons) stay inside the stamped tree.
    css = next(link for link in links if link.endswith("dsfr.min.css"))
    font = re.search(r"url\((?:\.\./)?(fonts/[^)]+\.woff2)\)", web.client.get(css).text)
    assert font
    base = css.rsplit("/", 1)[0]
    assert web.client.get(f"{base}/{font.group(1)}").status_code == 200


def test_third_party_loggers_keep_only_warnings():
    root = logging.getLogger()
    saved = (
        root.level,
        list(root.handlers),
        {n: logging.getLogger(n).level for n in QUIET_LOGGERS},
    )
    try:
        configure_logging("INFO")
        for name in QUIET_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
        assert logging.getLogger("helpdesk").getEffectiveLevel() == logging.INFO
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


def test_log_lines_mask_identifiers_in_messages_values_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    logger = logging.getLogger("helpdesk.test_redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("lookup for awa.traore@example.org, numéro 0123456789")
        try:
            raise ValueError("dossier NA-2025-004217 of 06 12 34 56 78 not found")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for secret in ("awa.traore@example.org", "0123456789", "NA-2025-004217", "06 12 34 56 78"):
        assert secret not in text
    assert "[courriel]" in text and "[dossier]" in text and "ValueError" in text
    assert redact_identifiers("ANEF-2026-000123 à 2026-12-01T04:28:49Z") == (
        "ANEF-2026-000123 à 2026-12-01T04:28:49Z"
    )
