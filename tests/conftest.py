"""Shared fixtures: real PostgreSQL, Redis and SMTP servers, migrated databases, the app."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

import helpdesk.job_modules  # noqa: F401
from helpdesk.app import create_app
from helpdesk.config import Settings
from helpdesk.db import make_engine
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.migrate import migrate
from helpdesk.seed import ensure_chain
from helpdesk.tickets.counts import forget_counts

from factories import PASSWORD
from support.passages import passages_checked
from support.servers import (
    REDIS_NAMESPACE,
    fresh_postgres_database,
    postgres_server,
    redis_server,
    smtp_server,
)

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')

# Tables holding reference data that every test starts with (rebuilt by ensure_chain).
KEEP_TABLES = frozenset({"alembic_version"})


@pytest.fixture(scope="session", autouse=True)
def every_commit_records_queue_passages() -> Iterator[None]:
    """No test may commit a ticket in a queue without its passage (support.passages)."""
    with passages_checked():
        yield


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """The PostgreSQL server of the session (this machine's, or a throwaway one)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(postgres_base_url: str) -> Iterator[str]:
    """A database of our own on that server, built from the migrations once."""
    with fresh_postgres_database(postgres_base_url) as url:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The Redis server of the session."""
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[object]:
    """An SMTP server on loopback collecting every e-mail the tests send."""
    with smtp_server() as sink:
        yield sink


@pytest.fixture()
def smtp(smtp_sink: object) -> object:
    """The SMTP sink, emptied for this test."""
    smtp_sink.clear()  # type: ignore[attr-defined]
    return smtp_sink


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # closing the last connection folds the WAL into the file
    assert not path.with_name("template.db-wal").exists()
    return path


@pytest.fixture()
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh migrated SQLite database for one test."""
    path = tmp_path / "helpdesk.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture()
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """The session's PostgreSQL database, emptied back to the chain for one test."""
    engine = make_engine(postgres_url)
    _reset_postgres(engine)
    yield engine
    engine.dispose()


def _reset_postgres(engine: Engine) -> None:
    """Empty every table, then put the chain's reference data back."""
    from helpdesk.models import metadata

    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name not in KEEP_TABLES)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    forget_counts()  # the home counts this process cached are those of the emptied tables
    with Session(engine) as session:
        ensure_chain(session)
        session.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each service test runs on SQLite and on PostgreSQL."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    return request.getfixturevalue(name)


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    """A session on the parametrised engine."""
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: secret, mail folder and storage under tmp_path."""
    values: dict[str, object] = {
        "env": "test",
        "secret_key": "test-secret-key-not-for-production",
        "mail_dir": tmp_path / "mail",
        "storage_dir": tmp_path / "attachments",
        "outbox_sweep_seconds": 3600,
        "redis_namespace": REDIS_NAMESPACE,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture()
def web(sqlite_engine: Engine, tmp_path: Path) -> Iterator[WebClient]:
    """The application on a fresh SQLite database, driven through Litestar's test client."""
    with WebClient.start(sqlite_engine, make_settings(tmp_path)) as client:
        yield client


@pytest.fixture(params=["sqlite", "postgresql"])
def any_web(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WebClient]:
    """The application on a fresh database of each kind."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    )
    with WebClient.start(engine, make_settings(tmp_path)) as web:
        yield web


class WebClient:
    """A test client that knows how to sign in and send forms with their CSRF token."""

    def __init__(self, client: TestClient[Litestar], engine: Engine) -> None:
        self.client = client
        self.engine = engine

    @classmethod
    @contextmanager
    def start(cls, engine: Engine, settings: Settings) -> Iterator[WebClient]:
        """Run create_app on this engine for the duration of the block."""
        app = create_app(settings, engine=engine, run_jobs=False)
        with TestClient(app=app, base_url="http://testserver.local") as client:
            yield cls(client, engine)

    def csrf(self, path: str = "/connexion") -> str:
        """The CSRF token of a page's forms (also sets the CSRF cookie)."""
        response = self.client.get(path)
        match = CSRF_INPUT.search(response.text)
        assert match, f"no CSRF field on {path}"
        return match.group(1)

    def post_form(self, path: str, data: dict[str, Any], *, page: str = "/connexion") -> Any:
        """POST a form as a browser would, with the token of `page`."""
        token = self.csrf(page)
        return self.client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        """Sign in through the form; returns the response."""
        return self.post_form("/connexion", {"email": email, "password": password})

    def session(self) -> Session:
        """A database session on the app's engine; its commits relay their outbox rows through
        the app's job runtime, as the app's own sessions do."""
        runtime: JobRuntime = self.client.app.state.jobs
        return runtime.session()
