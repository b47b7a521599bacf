"""Database engine and sessions; SQLite pragmas for the embedded default."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Session, create_engine

# How long a SQLite writer waits for the write lock. Write transactions are short (ms):
# a wait this long means something is wrong, and the request fails with a clear error.
SQLITE_BUSY_SECONDS = 10

INSERT_PAGE_ROWS = 50  # rows per multi-row INSERT on PostgreSQL
# A pooled PostgreSQL connection idle this long is tested before use (a restarted server or
# a firewall cuts idle connections; within seconds of its last use, one is alive).
PING_AFTER_IDLE_SECONDS = 5.0


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout and foreign keys."""
    url = make_url(database_url)
    # A failing statement's error text must not carry its values (names, e-mails, numéros
    # étranger) into the logs.
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # psycopg parses a statement's placeholders in Python, in time that grows faster than the
    # statement: a batch of 400 history lines as one INSERT cost a quarter of a second.
    kwargs.setdefault("insertmanyvalues_page_size", INSERT_PAGE_ROWS)
    # Short queries only: PostgreSQL's JIT compiled a 10 ms list query for half a second
    # once its estimated cost passed jit_above_cost (a million tickets).
    connect_args = {"options": "-c jit=off", **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", _ping_if_idle)
    return engine


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    """Remember when a pooled connection was last given back."""
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Test a pooled connection that sat idle long enough to have been cut; a dead one is
    replaced by the pool (DisconnectionError), so no request fails on it.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip per transaction,
    one in seven of an intake's statements. A connection in steady use needs none.
    """
    idle_since = record.info.get("checked_in_at")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        raise exc.DisconnectionError("the pooled connection is gone") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout on each new connection."""
    # Let SQLAlchemy emit BEGIN itself so that writes take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Start SQLite transactions as IMMEDIATE unless the connection asks for DEFERRED.

    A writing transaction takes the write lock up front: taken later, an upgrade from a
    read snapshot fails at once when another writer committed in between. A read-mostly
    request (a GET) begins DEFERRED: in WAL mode it reads its snapshot without waiting for
    the writer nor making it wait.
    """
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


@contextmanager
def session_scope(
    engine: Engine, *, info: dict[str, Any] | None = None, options: dict[str, Any] | None = None
) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    `info` becomes the session's `Session.info`: a job runtime put there relays the outbox
    rows of the commit (see `JobRuntime.transaction`). `options` are execution options of
    its connection (e.g. `sqlite_begin`).
    """
    bind = engine.execution_options(**options) if options else engine
    with Session(bind, expire_on_commit=False, info=info) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def attempt(session: Session) -> Iterator[Session]:
    """One service call that may be refused, as an all-or-nothing step of the caller's transaction.

    The block runs inside a SAVEPOINT. When an exception escapes it (a DomainError refusing
    the action, typically after some rows were already written), everything the block wrote
    is undone and the exception goes on to the caller; the transaction itself stays open and
    usable. A view can therefore catch the refusal and render the form again with the error
    and the typed values, without calling rollback, and a refused action never half-commits
    when the request's session commits at the end::

        try:
            with attempt(db_session):
                ticket = record_call(db_session, agent=agent, call=data)
        except ValidationFailedError as error:
            return Template("tickets/call.html", context=..., status_code=422)

    Nothing is committed here: the request (or the job) commits once, and only then do the
    outbox rows written in the block leave (the relay ignores a released savepoint). Objects
    changed inside a refused block are expired, and rows added in it are gone: read again
    what the error page shows. Any action wrapper (e.g. one that turns a refusal into a 409
    or 422 page) can use it the same way around its service call.
    """
    with session.begin_nested():
        yield session


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert an aware datetime to naive UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use helpdesk.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Attach the UTC zone to what the database returns."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def timestamp_column(*, now: bool = False, index: bool = False) -> Any:
    """A SQLModel field for an aware UTC timestamp; `now` makes it required and defaulted."""
    column: Column[datetime] = Column(UTCDateTime(), nullable=not now, index=index)
    if now:
        return Field(default_factory=utcnow, sa_column=column)
    return Field(default=None, sa_column=column)


def require_id(row: Any) -> int:
    """The primary key of a flushed row (a row without one is a programming error)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush the session first")
    return int(row.id)


def assign_changed(instance: Any, **values: Any) -> None:
    """Set only the attributes whose value differs: an assignment to a table model goes
    through pydantic and SQLAlchemy's history, which costs more than the comparison."""
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
