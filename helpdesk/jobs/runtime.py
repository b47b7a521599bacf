"""The job runtime: broker, actors, the outbox relay, the worker and the dead letters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import dramatiq
import redis
import structlog
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, Retries
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dossiers.source import DossierSource
from helpdesk.config import Settings
from helpdesk.db import require_id, session_scope, utcnow
from helpdesk.dossier_links.source import build_source, close_source
from helpdesk.jobs.models import DeadLetter, JobExecution, OutboxMessage
from helpdesk.jobs.registry import JOBS, JobContext, JobSpec

log = structlog.get_logger(__name__)

# The relay runs in the request that committed: an unreachable Redis must cost it well under
# a second, not the client's default retries (the sweep sends the rows later).
REDIS_CONNECT_TIMEOUT_S = 1.0
REDIS_SOCKET_TIMEOUT_S = 5.0
REDIS_RETRIES = 1
# How often the in-process worker's consumers wake up (latency of delayed retries, shutdown).
WORKER_TIMEOUT_MS = 200
# The key of Session.info naming the runtime that relays the session's outbox rows.
RUNTIME_KEY = "job_runtime"


class DeadLetterRecorder(Middleware):
    """Keeps messages that exhausted their retries in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        """Record a dead letter when the Retries middleware gave up on a message."""
        if exception is None or not message.failed:
            return
        kwargs = dict(message.kwargs)
        row = DeadLetter(
            message_id=message.message_id,
            actor_name=message.actor_name,
            outbox_id=kwargs.pop("outbox_id", None),
            kwargs=kwargs,
            error=f"{type(exception).__name__}: {exception}"[:2000],
        )
        try:
            with session_scope(self.engine) as session:
                session.add(row)
        except IntegrityError:
            pass  # already recorded for this message
        log.warning("job.dead_letter", actor=message.actor_name, message_id=message.message_id)


class JobRuntime:
    """Everything a process needs to send and run jobs.

    Built once by the composition root (create_app, helpdesk.tasks for the dramatiq worker).
    Sessions made by `session()` or `transaction()` carry the runtime in their `info`: after
    their real commit, the outbox rows they wrote are relayed to this runtime's broker. A
    session made otherwise leaves its rows to the sweep.

    The dossier source is the one of the application when given (its owner closes it); else
    the runtime builds one from the settings and closes it in `stop()`.
    """

    def __init__(
        self, settings: Settings, engine: Engine, *, dossier_source: DossierSource | None = None
    ) -> None:
        self.settings = settings
        self.engine = engine
        self._owns_source = dossier_source is None
        self.dossier_source = build_source(settings) if dossier_source is None else dossier_source
        self.redis_url = settings.redis_url
        self.worker_threads = settings.worker_threads
        self.broker = self._make_broker()
        self.worker: dramatiq.Worker | None = None
        self._lock = threading.Lock()
        for spec in JOBS.values():
            self._declare(spec)

    def _make_broker(self) -> dramatiq.Broker:
        """A Redis broker when REDIS_URL is set, else the in-process one."""
        broker: dramatiq.Broker
        if self.redis_url:
            broker = RedisBroker(client=_redis_client(self.redis_url))
        else:
            broker = StubBroker()
        # "after" hooks run in reverse order: placed before Retries, the recorder runs after it
        # and sees `message.failed` (appended at the end, it ran first and never saw a failure).
        broker.add_middleware(DeadLetterRecorder(self.engine), before=Retries)
        return broker

    def _declare(self, spec: JobSpec) -> None:
        """Make a dramatiq actor of a job, bound to this runtime's broker."""
        runtime = self

        def run(outbox_id: int | None = None, **kwargs: Any) -> None:
            runtime.execute(spec, outbox_id, kwargs)

        run.__name__ = spec.name.replace(".", "_")
        decorate = dramatiq.actor(actor_name=spec.name, broker=self.broker, **spec.options)
        decorate(run)

    def session(self) -> Session:
        """A session on this runtime's database whose commits relay their outbox rows here."""
        return Session(self.engine, expire_on_commit=False, info={RUNTIME_KEY: self})

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Such a session, committed on success and rolled back on error (then closed)."""
        with session_scope(self.engine, info={RUNTIME_KEY: self}) as session:
            yield session

    def execute(self, spec: JobSpec, outbox_id: int | None, kwargs: dict[str, Any]) -> None:
        """Run a job once per outbox message: its effect and the proof commit together."""
        key = f"{spec.name}:{outbox_id}" if outbox_id is not None else None
        with self.transaction() as session:
            if key is not None and not _claim(session, key, spec.name):
                log.info("job.skipped_duplicate", actor=spec.name, outbox_id=outbox_id)
                return
            context = JobContext(
                session=session, settings=self.settings, dossier_source=self.dossier_source
            )
            spec.fn(context, **kwargs)

    def dispatch(self, ids: list[int]) -> int:
        """Hand outbox rows to the broker and mark them sent; returns how many left."""
        sent = 0
        for outbox_id in ids:
            outcome = self._dispatch_one(outbox_id)
            if outcome is None:
                break  # the broker is unreachable: the sweep sends the rest later
            sent += outcome
        return sent

    def _dispatch_one(self, outbox_id: int) -> int | None:
        """Send one unsent row (1), skip it (0), or record a broker failure (None)."""
        with session_scope(self.engine) as session:
            # The row lock keeps the relay and a concurrent sweep from both sending it.
            row = session.get(OutboxMessage, outbox_id, with_for_update={"skip_locked": True})
            if row is None or row.sent_at is not None:
                return 0
            try:
                self._send(row)
            except Exception as error:
                row.attempts += 1
                row.last_error = f"{type(error).__name__}: {error}"[:500]
                log.warning("outbox.send_failed", outbox_id=outbox_id, actor=row.actor_name)
                return None
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == outbox_id)
                .values(sent_at=utcnow(), attempts=OutboxMessage.attempts + 1)
            )
        return 1

    def _send(self, row: OutboxMessage) -> None:
        """Enqueue one outbox row as a dramatiq message."""
        actor = self.broker.get_actor(row.actor_name)
        actor.send_with_options(kwargs={**row.payload, "outbox_id": row.id})

    def enqueue(self, actor_name: str, **kwargs: Any) -> int:
        """Commit an outbox row for a job on its own, then send it; returns the outbox id."""
        if actor_name not in JOBS:
            raise KeyError(f"unknown job {actor_name!r}")
        with session_scope(self.engine) as session:
            row = OutboxMessage(actor_name=actor_name, payload=kwargs)
            session.add(row)
            session.flush()
            outbox_id = require_id(row)
        self.dispatch([outbox_id])
        return outbox_id

    def sweep(self, *, older_than: timedelta = timedelta(seconds=10), limit: int = 500) -> int:
        """Send again what did not leave after commit (e.g. while Redis was down)."""
        cutoff = utcnow() - older_than
        with Session(self.engine) as session:
            ids = session.exec(
                select(OutboxMessage.id)
                .where(col(OutboxMessage.sent_at).is_(None))
                .where(col(OutboxMessage.created_at) <= cutoff)
                .order_by(col(OutboxMessage.id))
                .limit(limit)
            ).all()
        return self.dispatch([i for i in ids if i is not None])

    def replay_dead_letter(self, dead_letter_id: int) -> None:
        """Send a dead letter's job again, keeping its outbox id for idempotency."""
        with session_scope(self.engine) as session:
            dead = session.get(DeadLetter, dead_letter_id)
            if dead is None or dead.replayed_at is not None:
                return
            dead.replayed_at = utcnow()
            kwargs = {**dead.kwargs, "outbox_id": dead.outbox_id}
            self.broker.get_actor(dead.actor_name).send_with_options(kwargs=kwargs)

    def start_worker(self) -> None:
        """Start worker threads in this process (embedded default and tests)."""
        with self._lock:
            if self.worker is None:
                self.worker = dramatiq.Worker(
                    self.broker,
                    worker_threads=self.worker_threads,
                    worker_timeout=WORKER_TIMEOUT_MS,
                )
                self.worker.start()

    def stop(self) -> None:
        """Stop the worker threads and close the broker (and the dossier source it built)."""
        with self._lock:
            if self.worker is not None:
                self.worker.stop(timeout=10_000)
                self.worker = None
        self.broker.close()
        if self._owns_source:
            close_source(self.dossier_source)

    def join(self, timeout_ms: int = 10_000) -> None:
        """Wait until the broker's queues are empty and the worker is idle."""
        self.broker.join("default", timeout=timeout_ms)
        if self.worker is not None:
            self.worker.join()


def _redis_client(url: str) -> redis.Redis:
    """A Redis client that fails fast when the server is down or unreachable."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        socket_timeout=REDIS_SOCKET_TIMEOUT_S,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), REDIS_RETRIES),
        health_check_interval=30,
    )


def _claim(session: Session, key: str, actor_name: str) -> bool:
    """Insert the execution proof first; False if another run already holds or made it."""
    if session.get(JobExecution, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(JobExecution(key=key, actor_name=actor_name))
    except IntegrityError:  # a concurrent run committed it (PostgreSQL waits for it first)
        return False
    return True


def runtime_of(session: Session) -> JobRuntime | None:
    """The runtime that relays this session's outbox rows, if it has one."""
    runtime = session.info.get(RUNTIME_KEY)
    return runtime if isinstance(runtime, JobRuntime) else None


@event.listens_for(Session, "after_commit")
def _relay_after_commit(session: Session) -> None:
    """After the real commit, send the outbox rows that the transaction wrote."""
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: the rows are not committed yet
    pending = session.info.pop("outbox_pending", None)
    runtime = runtime_of(session)
    if not pending or runtime is None:
        return  # no runtime: the sweep sends these rows
    bind = session.get_bind()
    if getattr(bind, "engine", bind) is not runtime.engine:
        return  # another database: its own sweep will send these rows
    try:
        # Ids of rows undone by a rolled-back savepoint are still listed: they are skipped.
        runtime.dispatch(list(pending))
    except Exception:  # the change is committed: never fail the caller, the sweep resends
        log.exception("outbox.relay_failed", outbox_ids=pending)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: Any) -> None:
    """Outbox rows of a rolled-back transaction never existed.

    Only the outermost transaction's end counts: a savepoint rolled back inside it (a refused
    `attempt`) must not drop the rows the transaction wrote before it, and after a commit
    the list was already taken by the relay.
    """
    if transaction.parent is None:
        session.info.pop("outbox_pending", None)
