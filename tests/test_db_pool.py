"""The PostgreSQL pool pings only connections that sat idle (no round trip before each
transaction in steady use), yet a connection cut while idle never fails the next request."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from helpdesk import db
from helpdesk.db import make_engine


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_an_idle_connection_cut_by_the_server_is_replaced_without_error(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
):
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    killer = make_engine(postgres_url)
    try:
        first = _backend_pid(engine)
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            connection.commit()
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # "long enough" is now
        second = _backend_pid(engine)  # would raise OperationalError without the ping
        assert second != first
    finally:
        engine.dispose()
        killer.dispose()
