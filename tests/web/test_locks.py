"""Pages never wait for locks they do not need: the SQLite writer, the agent's session row."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk import db
from helpdesk.auth.models import AgentSession
from helpdesk.db import utcnow

from conftest import WebClient, make_settings
from factories import make_agent, make_ticket

QUICK_S = 2.0  # far below the 10 s a page waiting for the lock would take


@contextmanager
def writer_holding_the_lock(engine: Engine) -> Iterator[None]:
    """Another connection in the middle of a write transaction (SQLite: the write lock)."""
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(
            update(AgentSession).where(col(AgentSession.id) == -1).values(revoked_at=None)
        )
        try:
            yield
        finally:
            transaction.rollback()


def timed(web: WebClient, path: str) -> tuple[int, float]:
    """GET a page; its status and how long it took."""
    started = time.perf_counter()
    status = web.client.get(path).status_code
    return status, time.perf_counter() - started


def test_sqlite_pages_read_while_a_writer_holds_the_lock(sqlite_engine: Engine, tmp_path: Path):
    with WebClient.start(sqlite_engine, make_settings(tmp_path)) as web:
        with web.session() as session:
            agent = make_agent(session)
            ticket = make_ticket(session)
            session.commit()
        web.sign_in(agent.email)
        web.client.get("/")  # the session's activity is fresh: no refresh is due
        with writer_holding_the_lock(sqlite_engine):
            pages = [timed(web, path) for path in ("/", f"/tickets/{ticket.id}", "/contact")]
    assert [status for status, _ in pages] == [200, 200, 200]
    assert max(seconds for _, seconds in pages) < QUICK_S, pages


def test_a_locked_session_row_does_not_delay_the_agents_pages(
    postgres_engine: Engine, tmp_path: Path
):
    with WebClient.start(postgres_engine, make_settings(tmp_path)) as web:
        with web.session() as session:
            email = make_agent(session).email
            session.commit()
        web.sign_in(email)
        stale = utcnow() - timedelta(minutes=5)
        with Session(postgres_engine) as session:
            session.execute(update(AgentSession).values(last_seen_at=stale))
            session.commit()

        release = threading.Event()
        locked = threading.Event()

        def hold_the_row() -> None:  # as a slow request refreshing the row would
            with Session(postgres_engine) as session:
                session.exec(select(AgentSession).with_for_update()).all()
                locked.set()
                release.wait(10)
                session.rollback()

        holder = threading.Thread(target=hold_the_row)
        holder.start()
        assert locked.wait(5)
        status, seconds = timed(web, "/")
        release.set()
        holder.join()
        web.client.app.state.session_activity.wait()

    assert status == 200 and seconds < QUICK_S
    with Session(postgres_engine) as session:
        refreshed = session.exec(select(AgentSession)).one()
    assert refreshed.last_seen_at > stale + timedelta(minutes=4)  # refreshed once free


def test_a_lock_held_beyond_the_wait_is_a_polite_503(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db, "SQLITE_BUSY_SECONDS", 0.2)
    engine = db.make_engine(str(sqlite_engine.url))
    with WebClient.start(engine, make_settings(tmp_path)) as web:
        token = web.csrf("/connexion")
        with writer_holding_the_lock(engine):
            response = web.client.post(
                "/connexion",
                data={"email": "x@example.org", "password": "wrong-password", "_csrf_token": token},
            )
    assert response.status_code == 503
    assert "renvoyez-la dans quelques" in response.text
    assert response.headers["retry-after"] == "5"
