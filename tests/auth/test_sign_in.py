"""Sign-in, sessions, sign-out, throttling and CSRF, through the real application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.auth import service
from helpdesk.auth.models import Agent, AgentSession
from helpdesk.auth.service import token_hash
from helpdesk.db import utcnow
from helpdesk.errors import TooManyAttemptsError
from helpdesk.web.dependencies import SESSION_COOKIE

from conftest import WebClient
from factories import PASSWORD, make_agent


def create_agent(web: WebClient, **kwargs: object) -> Agent:
    with web.session() as session:
        agent = make_agent(session, **kwargs)  # type: ignore[arg-type]
        session.commit()
        return agent


def test_sign_in_opens_a_session_and_shows_the_home_page(web: WebClient):
    agent = create_agent(web)
    response = web.sign_in(agent.email)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = web.client.get("/")
    assert home.status_code == 200
    assert agent.full_name in home.text


def test_session_id_changes_at_sign_in_and_the_old_one_stops_working(web: WebClient):
    agent = create_agent(web)
    web.sign_in(agent.email)
    first = web.client.cookies[SESSION_COOKIE]
    web.sign_in(agent.email)
    second = web.client.cookies[SESSION_COOKIE]
    assert first != second
    web.client.cookies.set(SESSION_COOKIE, first)
    response = web.client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/connexion")


def test_old_cookie_no_longer_works_after_sign_out(web: WebClient):
    agent = create_agent(web)
    web.sign_in(agent.email)
    token = web.client.cookies[SESSION_COOKIE]
    response = web.post_form("/deconnexion", {}, page="/")
    assert response.status_code == 303
    web.client.cookies.set(SESSION_COOKIE, token)
    response = web.client.get("/", follow_redirects=False)
    assert response.status_code == 302
    with web.session() as session:
        row = session.exec(
            select(AgentSession).where(AgentSession.token_hash == token_hash(token))
        ).one()
        assert row.revoked_at is not None


def test_unknown_email_and_wrong_password_get_the_same_answer(web: WebClient):
    agent = create_agent(web)
    unknown = web.sign_in("personne@nulle-part.test", "whatever-password")
    wrong = web.sign_in(agent.email, "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    for response in (unknown, wrong):
        assert "Adresse électronique ou mot de passe incorrect." in response.text
    assert SESSION_COOKIE not in web.client.cookies


def test_repeated_failures_are_throttled_with_a_clear_429(web: WebClient):
    agent = create_agent(web)
    for _ in range(5):
        assert web.sign_in(agent.email, "mauvais-mot-de-passe").status_code == 401
    response = web.sign_in(agent.email, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["ratelimit-limit"] == "5"
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-policy"] == "5;w=900"
    assert SESSION_COOKIE not in web.client.cookies


def test_failures_from_elsewhere_do_not_lock_an_agent_out(web: WebClient):
    agent = create_agent(web)
    settings = web.client.app.state.settings
    with web.session() as session:
        for _ in range(settings.login_max_failures):
            attempt = service.sign_in(
                session,
                settings=settings,
                email=agent.email,
                password="mauvais-mot-de-passe",
                client_address="203.0.113.9",
            )
            assert attempt is None
        session.commit()
        with pytest.raises(TooManyAttemptsError):  # the guessing address is throttled
            service.sign_in(
                session,
                settings=settings,
                email=agent.email,
                password=PASSWORD,
                client_address="203.0.113.9",
            )
        elsewhere = service.sign_in(
            session,
            settings=settings,
            email=agent.email,
            password=PASSWORD,
            client_address="198.51.100.4",
        )
        assert elsewhere is not None  # the agent's own workstation still signs in


def test_one_address_guessing_across_accounts_meets_its_ceiling(web: WebClient):
    settings = web.client.app.state.settings
    agents = [create_agent(web) for _ in range(5)]
    ceiling = settings.login_max_failures * service.ADDRESS_FAILURE_FACTOR
    with web.session() as session:
        for number in range(ceiling):
            attempt = service.sign_in(
                session,
                settings=settings,
                email=agents[number % len(agents)].email,
                password="mauvais-mot-de-passe",
                client_address="203.0.113.10",
            )
            assert attempt is None
        session.commit()
        with pytest.raises(TooManyAttemptsError):
            service.sign_in(
                session,
                settings=settings,
                email=agents[0].email,
                password=PASSWORD,
                client_address="203.0.113.10",
            )


def test_missing_or_wrong_csrf_token_is_refused(web: WebClient):
    agent = create_agent(web)
    web.csrf()
    missing = web.client.post(
        "/connexion", data={"email": agent.email, "password": PASSWORD}, follow_redirects=False
    )
    wrong = web.client.post(
        "/connexion",
        data={"email": agent.email, "password": PASSWORD, "_csrf_token": "forged"},
        follow_redirects=False,
    )
    assert missing.status_code == wrong.status_code == 403
    assert "formulaire a expiré" in missing.text
    assert SESSION_COOKIE not in web.client.cookies


def test_csrf_token_in_the_htmx_header_is_accepted(web: WebClient):
    agent = create_agent(web)
    token = web.csrf()
    response = web.client.post(
        "/connexion",
        data={"email": agent.email, "password": PASSWORD},
        headers={"x-csrftoken": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_idle_session_expires(web: WebClient):
    agent = create_agent(web)
    web.sign_in(agent.email)
    token = web.client.cookies[SESSION_COOKIE]
    with web.session() as session:
        row = session.exec(
            select(AgentSession).where(AgentSession.token_hash == token_hash(token))
        ).one()
        row.last_seen_at = utcnow() - timedelta(hours=2)
        session.add(row)
        session.commit()
    response = web.client.get("/", follow_redirects=False)
    assert response.status_code == 302


def test_inactive_agent_cannot_sign_in(web: WebClient):
    agent = create_agent(web)
    with web.session() as session:
        stored = session.get(Agent, agent.id)
        stored.active = False  # type: ignore[union-attr]
        session.commit()
    assert web.sign_in(agent.email).status_code == 401


def test_next_parameter_never_redirects_off_site(web: WebClient):
    agent = create_agent(web)
    response = web.post_form(
        "/connexion", {"email": agent.email, "password": PASSWORD, "next": "//evil.example"}
    )
    assert response.headers["location"] == "/"


def test_sign_in_logs_never_contain_the_password_or_the_session(web: WebClient, capsys):
    agent = create_agent(web)
    web.sign_in(agent.email)
    web.client.get("/")
    output = capsys.readouterr().out + capsys.readouterr().err
    assert PASSWORD not in output
    assert web.client.cookies[SESSION_COOKIE] not in output
