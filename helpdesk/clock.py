"""The periodic scheduler: sends what the outbox kept and enqueues periodic jobs, nothing else."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlmodel import Session, col, select

from helpdesk.admin.alerts import ALERT_EVERY_SECONDS, DEAD_LETTER_ALERT_JOB
from helpdesk.agent_notifications.tasks import DIGEST_CHECK_SECONDS, DIGEST_JOB
from helpdesk.db import utcnow
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.privacy.tasks import RETENTION_EVERY_SECONDS, RETENTION_JOB

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A job the clock enqueues every `every_seconds`."""

    actor_name: str
    every_seconds: int


SWEEP_BATCH = 500
SWEEP_ROUNDS = 40  # at most 20,000 rows a tick

PERIODIC_JOBS = (
    PeriodicJob("maintenance.purge_expired", 3600),
    PeriodicJob("routing.sla_check", 60),
    PeriodicJob(DEAD_LETTER_ALERT_JOB, ALERT_EVERY_SECONDS),
    PeriodicJob(RETENTION_JOB, RETENTION_EVERY_SECONDS),
    PeriodicJob(DIGEST_JOB, DIGEST_CHECK_SECONDS),
)


def run_clock(runtime: JobRuntime, stop: threading.Event, *, interval: float) -> None:
    """Loop until `stop` is set: sweep the outbox, then enqueue the periodic jobs that are due."""
    last_run: dict[str, float] = {}
    while not stop.is_set():
        tick(runtime, last_run)
        stop.wait(interval)


def tick(
    runtime: JobRuntime, last_run: dict[str, float], *, jobs: Sequence[PeriodicJob] = PERIODIC_JOBS
) -> None:
    """One round of the clock; a broker failure is logged and retried at the next round."""
    try:
        sent = sweep_all(runtime)
        if sent:
            log.info("outbox.swept", sent=sent)
    except Exception:
        log.exception("clock.sweep_failed")
    now = time.monotonic()
    for periodic in jobs:
        if now - last_run.get(periodic.actor_name, -1e12) < periodic.every_seconds:
            continue
        try:
            enqueue_if_due(runtime, periodic)
            last_run[periodic.actor_name] = now
        except Exception:
            log.exception("clock.enqueue_failed", actor=periodic.actor_name)


def sweep_all(runtime: JobRuntime, *, batch: int = SWEEP_BATCH, rounds: int = SWEEP_ROUNDS) -> int:
    """Sweep batch after batch while full batches leave (a backlog after an outage drains in
    one tick, not one batch per period); returns how many rows left."""
    total = 0
    for _ in range(rounds):
        sent = runtime.sweep(limit=batch)
        total += sent
        if sent < batch:
            break
    return total


def enqueue_if_due(runtime: JobRuntime, periodic: PeriodicJob) -> int | None:
    """Enqueue a periodic job through the outbox unless one was enqueued within its period.

    The outbox is the memory of the clock: a restarted (or second) clock does not enqueue the
    job again within the period, and a job enqueued while Redis is down leaves with the sweep.
    """
    since = utcnow() - timedelta(seconds=periodic.every_seconds)
    with Session(runtime.engine) as session:
        recent = session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.actor_name == periodic.actor_name)
            .where(col(OutboxMessage.created_at) > since)
            .limit(1)
        ).first()
    if recent is not None:
        return None
    return runtime.enqueue(periodic.actor_name)


def start_clock_thread(runtime: JobRuntime, *, interval: float) -> threading.Event:
    """Run the clock in a daemon thread (embedded default); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_clock, args=(runtime, stop), kwargs={"interval": interval}, daemon=True
    )
    thread.name = "helpdesk-clock"
    thread.start()
    return stop
