"""The job runtime: broker, actors, the outbox relay and sweep, the worker, replays."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import dramatiq
import redis
import structlog
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.threading import Interrupt
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dossiers.source import DossierSource
from helpdesk.config import Settings
from helpdesk.db import session_scope, utcnow
from helpdesk.dossier_links.source import build_source, close_source
from helpdesk.jobs import outbox
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS, JobContext, JobSpec, forget_outbox, pending_outbox_ids
from helpdesk.jobs.relay import Relay

log = structlog.get_logger(__name__)

# Calls to Redis run in the relay, the sweep and the workers, never in a request; a hung
# Redis still costs each of them only these seconds.
REDIS_CONNECT_TIMEOUT_S = 1.0
REDIS_SOCKET_TIMEOUT_S = 3.0
REDIS_RETRIES = 1
# The readiness probe's PING: a hung Redis makes /readyz answer "unavailable" this fast.
PROBE_TIMEOUT_S = 0.5
# A worker that stops beating for this long is dead: the broker's maintenance gives its
# unacknowledged messages to the others (dramatiq's default of 60 s, made shorter).
HEARTBEAT_TIMEOUT_MS = 15_000
# Out of a million broker commands, how many also run that maintenance (default 1,000).
MAINTENANCE_CHANCE = 250_000
# How often the in-process worker's consumers wake up (latency of shutdown).
WORKER_TIMEOUT_MS = 200
# The key of Session.info naming the runtime that relays the session's outbox rows.
RUNTIME_KEY = "job_runtime"
DISPATCH_BATCH = 100


class JobRuntime:
    """Everything a process needs to send and run jobs.

    Built once by the composition root (create_app, helpdesk.tasks for the dramatiq worker).
    Sessions made by `session()` or `transaction()` carry the runtime in their `info`: after
    their real commit, the outbox rows they wrote go to the relay thread. A session made
    otherwise leaves its rows to the sweep.

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
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.broker = self._make_broker()
        self.relay = Relay(self.dispatch)
        self.worker: dramatiq.Worker | None = None
        self._probe: redis.Redis | None = None
        self._lock = threading.Lock()
        for spec in JOBS.values():
            self._declare(spec)

    def _make_broker(self) -> dramatiq.Broker:
        """A Redis broker when REDIS_URL is set, else the in-process one."""
        if self.redis_url:
            return RedisBroker(
                client=redis_client(self.redis_url),
                namespace=self.settings.redis_namespace,
                heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
                maintenance_chance=MAINTENANCE_CHANCE,
            )
        return StubBroker()

    def _declare(self, spec: JobSpec) -> None:
        """Make a dramatiq actor of a job, bound to this runtime's broker."""
        runtime = self

        def run(outbox_id: int | None = None, **kwargs: Any) -> None:
            runtime.execute(spec, outbox_id, kwargs)

        run.__name__ = spec.name.replace(".", "_")
        decorate = dramatiq.actor(actor_name=spec.name, broker=self.broker, **spec.actor_options())
        decorate(run)

    def session(self) -> Session:
        """A session on this runtime's database whose commits relay their outbox rows here."""
        return Session(self.engine, expire_on_commit=False, info={RUNTIME_KEY: self})

    @contextmanager
    def transaction(self, **options: Any) -> Iterator[Session]:
        """Such a session, committed on success and rolled back on error (then closed).

        `options` are execution options of its connection (`sqlite_begin="DEFERRED"` for a
        read-mostly request on SQLite, see helpdesk.db).
        """
        with session_scope(self.engine, info={RUNTIME_KEY: self}, options=options) as session:
            yield session

    def execute(self, spec: JobSpec, outbox_id: int | None, kwargs: dict[str, Any]) -> None:
        """Run a job once per outbox message: its effect and the row's `done_at` commit together.

        A failure is recorded in the row (retry time or dead letter) and not raised: the
        broker's message is finished, the outbox keeps the job.
        """
        try:
            with self.transaction() as session:
                if outbox_id is not None and not outbox.claim(session, outbox_id):
                    log.info("job.skipped_duplicate", actor=spec.name, outbox_id=outbox_id)
                    return
                context = JobContext(
                    session=session, settings=self.settings, dossier_source=self.dossier_source
                )
                spec.fn(context, **kwargs)
        except (Exception, Interrupt) as error:
            log.warning(
                "job.failed", actor=spec.name, outbox_id=outbox_id, error=type(error).__name__
            )
            if outbox_id is None:
                raise
            self._record_failure(spec, outbox_id, error)

    def _record_failure(self, spec: JobSpec, outbox_id: int, error: BaseException) -> None:
        """Schedule the retry or write the dead letter (if this fails, the lease resends)."""
        try:
            with session_scope(self.engine) as session:
                dead = outbox.record_failure(session, spec, outbox_id, error, now=utcnow())
        except Exception:
            log.exception("job.failure_not_recorded", actor=spec.name, outbox_id=outbox_id)
            return
        if dead is not None:
            log.warning("job.dead_letter", actor=spec.name, outbox_id=outbox_id)

    def dispatch(self, ids: Sequence[int], *, now: datetime | None = None) -> int:
        """Hand the due rows among `ids` to the broker; returns how many left.

        Stops at the first broker failure: the rows stay due and the sweep sends them later.
        """
        sent = 0
        for start in range(0, len(ids), DISPATCH_BATCH):
            batch_sent, broker_ok = self._dispatch_batch(ids[start : start + DISPATCH_BATCH], now)
            sent += batch_sent
            if not broker_ok:
                break
        return sent

    def _dispatch_batch(self, ids: Sequence[int], now: datetime | None) -> tuple[int, bool]:
        """Send one batch of rows in one transaction; (sent, whether the broker answered)."""
        sent = 0
        with session_scope(self.engine) as session:
            moment = now or utcnow()
            for row in outbox.lock_due(session, ids, now=moment):
                try:
                    if self._broker_holds(row):
                        row.due_at = moment + self.lease  # still queued or being requeued
                        continue
                    message_id = self._send(row)
                except Exception as error:
                    row.last_error = outbox.describe(error)[: outbox.MAX_ERROR]
                    log.warning("outbox.send_failed", outbox_id=row.id, actor=row.actor_name)
                    return sent, False
                outbox.mark_handed_over(row, message_id, now=moment, lease=self.lease)
                sent += 1
        return sent, True

    def _send(self, row: OutboxMessage) -> str:
        """Enqueue the row as a dramatiq message; returns the id the broker keeps it under."""
        actor = self.broker.get_actor(row.actor_name)
        message = actor.send_with_options(kwargs={**row.payload, "outbox_id": row.id})
        # Redis keys its copy of the message by this id (see _broker_holds).
        return str(message.options.get("redis_message_id", message.message_id))

    def _broker_holds(self, row: OutboxMessage) -> bool:
        """Whether Redis still has the row's last message (queued, or taken and unacknowledged).

        A row whose lease ended is still in Redis when it waits in a long queue or belongs to
        a dead worker that the broker's maintenance will requeue: it is left there. Gone from
        Redis (flushed, restarted without persistence), it is sent again.
        """
        if not row.broker_message_id or not isinstance(self.broker, RedisBroker):
            return False
        queue_name = self.broker.get_actor(row.actor_name).queue_name
        key = f"{self.broker.namespace}:{queue_name}.msgs"
        return bool(self.broker.client.hexists(key, row.broker_message_id))

    def broker_latency_ms(self) -> float | None:
        """The time a PING to Redis takes (short timeouts), None when it does not answer;
        0 for the in-process broker."""
        if not self.redis_url:
            return 0.0
        if self._probe is None:
            self._probe = redis_client(self.redis_url, timeout=PROBE_TIMEOUT_S, retries=0)
        started = time.perf_counter()
        try:
            self._probe.ping()
        except Exception:
            return None
        return round((time.perf_counter() - started) * 1000, 2)

    def relay_later(self, ids: list[int]) -> None:
        """Hand these committed rows to the relay thread (returns at once)."""
        self.relay.submit(ids)

    def enqueue(self, actor_name: str, **kwargs: Any) -> int:
        """Commit an outbox row for a job on its own, then send it; returns the outbox id."""
        if actor_name not in JOBS:
            raise KeyError(f"unknown job {actor_name!r}")
        with session_scope(self.engine) as session:
            row = OutboxMessage(actor_name=actor_name, payload=kwargs)
            session.add(row)
            session.flush()
            outbox_id = int(row.id or 0)
        self.dispatch([outbox_id])
        return outbox_id

    def sweep(self, *, now: datetime | None = None, limit: int = 500) -> int:
        """Send the rows whose time has come: never sent, lease over, or retry due."""
        moment = now or utcnow()
        with Session(self.engine) as session:
            ids = outbox.due_ids(session, now=moment, limit=limit)
        return self.dispatch(ids, now=moment)

    def replay_dead_letters(self, dead_letter_ids: Sequence[int]) -> int:
        """Make these dead letters' jobs due again and send them; returns how many."""
        with self.transaction() as session:  # its commit relays the rows through this runtime
            return outbox.replay_dead_letters(session, dead_letter_ids)

    def replay_dead_letter(self, dead_letter_id: int) -> None:
        """Send one dead letter's job again (a second replay does nothing)."""
        self.replay_dead_letters([dead_letter_id])

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
        """Stop the relay and the worker threads, close the broker (and a source it built)."""
        self.relay.stop()
        with self._lock:
            if self.worker is not None:
                self.worker.stop(timeout=10_000)
                self.worker = None
        self.broker.close()
        if self._probe is not None:
            self._probe.close()
        if self._owns_source:
            close_source(self.dossier_source)

    def join(self, timeout_ms: int = 10_000) -> None:
        """Wait until the relay has sent everything, the queues are empty and the worker idle."""
        self.relay.wait_idle(timeout_ms / 1000)
        self.broker.join("default", timeout=timeout_ms)
        if self.worker is not None:
            self.worker.join()


def redis_client(
    url: str, *, timeout: float = REDIS_SOCKET_TIMEOUT_S, retries: int = REDIS_RETRIES
) -> redis.Redis:
    """A Redis client that fails fast when the server is down, unreachable or hung.

    The retries are explicit: redis-py's default retries a timeout three more times.
    """
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=min(REDIS_CONNECT_TIMEOUT_S, timeout),
        socket_timeout=timeout,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), retries),
        health_check_interval=30,
    )


def runtime_of(session: Session) -> JobRuntime | None:
    """The runtime that relays this session's outbox rows, if it has one."""
    runtime = session.info.get(RUNTIME_KEY)
    return runtime if isinstance(runtime, JobRuntime) else None


@event.listens_for(Session, "after_commit")
def _relay_after_commit(session: Session) -> None:
    """After the real commit, give the outbox rows that the transaction wrote to the relay."""
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: the rows are not committed yet
    pending = pending_outbox_ids(session)
    runtime = runtime_of(session)
    if not pending or runtime is None:
        return  # no runtime: the sweep sends these rows
    bind = session.get_bind()
    if getattr(bind, "pool", None) is not runtime.engine.pool:
        return  # another database: its own sweep will send these rows
    # Ids of rows undone by a rolled-back savepoint are still listed: they are skipped.
    runtime.relay_later(list(pending))


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: Any) -> None:
    """Outbox rows of a rolled-back transaction never existed.

    Only the outermost transaction's end counts: a savepoint rolled back inside it (a refused
    `attempt`) must not drop the rows the transaction wrote before it, and after a commit
    the list was already taken by the relay.
    """
    if transaction.parent is None:
        forget_outbox(session)
