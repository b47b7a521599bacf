"""Dead letters written as the job runtime writes them: an outbox row given up, and its letter."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from helpdesk.db import utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage

_numbers = itertools.count(1)


def add_dead_letter(
    session: Session,
    actor_name: str,
    *,
    kwargs: dict[str, Any] | None = None,
    failed_at: datetime | None = None,
    replayed_at: datetime | None = None,
    error: str = "SMTPServerDisconnected: Connection unexpectedly closed",
) -> DeadLetter:
    """One job that exhausted its retries at `failed_at` (now by default)."""
    moment = failed_at or utcnow()
    payload = dict(kwargs or {})
    row = OutboxMessage(
        actor_name=actor_name,
        payload=payload,
        created_at=moment - timedelta(minutes=30),
        due_at=moment,
        failures=9,
        last_error=error[:500],
        dead_at=None if replayed_at else moment,
        done_at=replayed_at,  # a replayed job ran again, and this time it worked
    )
    session.add(row)
    session.flush()
    dead = DeadLetter(
        message_id=f"outbox-{row.id}-9-{next(_numbers)}",
        actor_name=actor_name,
        outbox_id=row.id,
        kwargs=payload,
        error=error,
        failed_at=moment,
        replayed_at=replayed_at,
    )
    session.add(dead)
    session.flush()
    return dead


def add_many(
    session: Session,
    actor_name: str,
    count: int,
    *,
    newest: datetime,
    step: timedelta,
    kwargs: dict[str, Any] | None = None,
) -> list[DeadLetter]:
    """`count` dead letters of one kind, the newest at `newest`, each `step` older than the
    last; written in two multi-row INSERTs, so thousands take a moment."""
    moments = [newest - i * step for i in range(count)]
    payload = dict(kwargs or {})
    rows = [
        OutboxMessage(
            actor_name=actor_name, payload=payload, due_at=m, failures=9, dead_at=m, created_at=m
        )
        for m in moments
    ]
    session.add_all(rows)
    session.flush()
    letters = [
        DeadLetter(
            message_id=f"outbox-{row.id}-9-{next(_numbers)}",
            actor_name=actor_name,
            outbox_id=row.id,
            kwargs=payload,
            error="ConnectionRefusedError: [Errno 111] Connection refused",
            failed_at=moment,
        )
        for row, moment in zip(rows, moments, strict=True)
    ]
    session.add_all(letters)
    session.flush()
    return letters
