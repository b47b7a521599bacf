"""The periodic scheduler: sends what the outbox kept and enqueues periodic jobs, nothing else."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import structlog

from helpdesk.jobs.runtime import JobRuntime

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A job the clock enqueues every `every_seconds`."""

    actor_name: str
    every_seconds: int


PERIODIC_JOBS = (PeriodicJob("maintenance.purge_expired", 3600),)


def run_clock(runtime: JobRuntime, stop: threading.Event, *, interval: float) -> None:
    """Loop until `stop` is set: sweep the outbox, then enqueue the periodic jobs that are due."""
    last_run: dict[str, float] = {}
    while not stop.is_set():
        tick(runtime, last_run)
        stop.wait(interval)


def tick(runtime: JobRuntime, last_run: dict[str, float]) -> None:
    """One round of the clock; a broker failure is logged and retried at the next round."""
    try:
        sent = runtime.sweep()
        if sent:
            log.info("outbox.swept", sent=sent)
    except Exception:
        log.exception("clock.sweep_failed")
    now = time.monotonic()
    for periodic in PERIODIC_JOBS:
        if now - last_run.get(periodic.actor_name, -1e12) < periodic.every_seconds:
            continue
        try:
            runtime.broker.get_actor(periodic.actor_name).send()
            last_run[periodic.actor_name] = now
        except Exception:
            log.exception("clock.enqueue_failed", actor=periodic.actor_name)


def start_clock_thread(runtime: JobRuntime, *, interval: float) -> threading.Event:
    """Run the clock in a daemon thread (embedded default); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_clock, args=(runtime, stop), kwargs={"interval": interval}, daemon=True
    )
    thread.name = "helpdesk-clock"
    thread.start()
    return stop
