"""Declaring jobs: a registry of functions that become dramatiq actors on any broker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session

from dossiers.source import DossierSource, UnconfiguredSource

JobFunction = Callable[..., None]


@dataclass(frozen=True)
class JobContext:
    """What a job receives besides its arguments: a session in a transaction, the settings,
    and the process's dossier source (the runtime's: one per process, keeping its cache)."""

    session: Session
    settings: Any
    dossier_source: DossierSource = field(default_factory=UnconfiguredSource)


@dataclass(frozen=True)
class JobSpec:
    """A job: its function, its retry policy (kept by the outbox) and its time limit."""

    name: str
    fn: JobFunction
    max_retries: int = 8
    min_backoff_ms: int = 1_000
    max_backoff_ms: int = 300_000
    time_limit_ms: int = 60_000
    queue_name: str = "default"
    throws: tuple[type[BaseException], ...] = ()

    def actor_options(self) -> dict[str, Any]:
        """dramatiq's options: no retry of its own (a retry lives in the outbox row)."""
        return {"max_retries": 0, "time_limit": self.time_limit_ms, "queue_name": self.queue_name}


JOBS: dict[str, JobSpec] = {}


def job(
    name: str,
    *,
    max_retries: int = 8,
    min_backoff_ms: int = 1_000,
    max_backoff_ms: int = 300_000,
    time_limit_ms: int = 60_000,
    queue_name: str = "default",
    throws: tuple[type[BaseException], ...] = (),
) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(ctx, **kwargs)` as a job; it takes effect once per outbox message.

    A failed run is tried again `max_retries` times, after an exponential backoff between
    `min_backoff_ms` and `max_backoff_ms`, then becomes a dead letter. `throws` lists errors
    that retrying cannot fix: the job goes straight to the dead letters.
    """

    def register(fn: JobFunction) -> JobFunction:
        JOBS[name] = JobSpec(
            name=name,
            fn=fn,
            max_retries=max_retries,
            min_backoff_ms=min_backoff_ms,
            max_backoff_ms=max_backoff_ms,
            time_limit_ms=time_limit_ms,
            queue_name=queue_name,
            throws=throws,
        )
        return fn

    return register


def enqueue_job(session: Session, actor_name: str, **kwargs: Any) -> None:
    """Write an outbox row for a job in the caller's transaction; it leaves after commit.

    The row is not flushed here: it is written with the transaction's next flush (several
    rows of one request in one INSERT), and its id is read after the commit.
    """
    from helpdesk.jobs.models import OutboxMessage

    if actor_name not in JOBS:
        raise KeyError(f"unknown job {actor_name!r}")
    message = OutboxMessage(actor_name=actor_name, payload=kwargs)
    session.add(message)
    session.info.setdefault("outbox_rows", []).append(message)


def relay_after_commit(session: Session, outbox_ids: list[int]) -> None:
    """Have these outbox rows sent once the caller's transaction commits (the sweep else)."""
    session.info.setdefault("outbox_pending", []).extend(outbox_ids)


def pending_outbox_ids(session: Session) -> list[int]:
    """Take the ids of the outbox rows this session's transaction wrote (after its commit)."""
    ids = list(session.info.pop("outbox_pending", []))
    for row in session.info.pop("outbox_rows", []):
        identity = inspect(row).identity  # read without loading: no SQL after the commit
        if identity is not None:
            ids.append(int(identity[0]))
    return ids


def forget_outbox(session: Session) -> None:
    """Forget the outbox rows of a rolled-back transaction."""
    session.info.pop("outbox_pending", None)
    session.info.pop("outbox_rows", None)
