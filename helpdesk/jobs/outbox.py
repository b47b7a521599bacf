"""The durable outbox: claiming a row for a run, recording failures, choosing what to send.

The outbox row is the job's state; the broker only carries it. The contract is
at-least-once delivery with one effect: a row is handed to the broker, and handed again
when its lease is over and the broker no longer holds it; each run claims the row in the
transaction of its effect (`done_at`), so a second run of the same row does nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from dramatiq.common import compute_backoff
from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col, select

from helpdesk.db import utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.jobs.registry import JobSpec, relay_after_commit

REPLAY_BATCH = 500

MAX_ERROR = 500


def is_pending() -> ColumnElement[bool]:
    """The condition of rows neither done nor given up (the partial index's)."""
    return and_(col(OutboxMessage.done_at).is_(None), col(OutboxMessage.dead_at).is_(None))


def claim(session: Session, outbox_id: int) -> bool:
    """Mark the row done in the caller's transaction; False if it is done or dead already.

    The UPDATE locks the row: a concurrent run of the same row waits for this transaction,
    then finds it done (committed) or claims it (rolled back).
    """
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == outbox_id, is_pending())
        .values(done_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record_failure(
    session: Session, spec: JobSpec, outbox_id: int, error: BaseException, *, now: datetime
) -> DeadLetter | None:
    """Count a failed run: schedule the retry in the row, or make it a dead letter."""
    row = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if row is None or row.done_at is not None or row.dead_at is not None:
        return None
    row.failures += 1
    row.last_error = describe(error)[:MAX_ERROR]
    if isinstance(error, spec.throws) or row.failures > spec.max_retries:
        row.dead_at = now
        dead = DeadLetter(
            message_id=f"outbox-{outbox_id}-{uuid.uuid4().hex[:16]}",  # one per death
            actor_name=row.actor_name,
            outbox_id=outbox_id,
            kwargs=dict(row.payload),
            error=describe(error)[:2000],
            failed_at=now,
        )
        session.add(dead)
        return dead
    _, backoff_ms = compute_backoff(
        row.failures - 1, factor=spec.min_backoff_ms, max_backoff=spec.max_backoff_ms
    )
    row.due_at = now + timedelta(milliseconds=backoff_ms)
    return None


def due_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """The pending rows whose time has come, oldest due first."""
    ids = session.exec(
        select(OutboxMessage.id)
        .where(is_pending())
        .where(col(OutboxMessage.due_at) <= now)
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
        .limit(limit)
    ).all()
    return [i for i in ids if i is not None]


def lock_due(session: Session, ids: Sequence[int], *, now: datetime) -> list[OutboxMessage]:
    """The rows among `ids` still due, locked (rows another process holds are skipped)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids), is_pending())
            .where(col(OutboxMessage.due_at) <= now)
            .order_by(col(OutboxMessage.id))
            .with_for_update(skip_locked=True)
        ).all()
    )


def mark_handed_over(
    row: OutboxMessage, message_id: str, *, now: datetime, lease: timedelta
) -> None:
    """The broker accepted the row: note it, and give the run a lease before a resend."""
    row.sent_at = now
    row.broker_message_id = message_id
    row.attempts += 1
    row.due_at = now + lease


def reopen_dead_letters(session: Session, ids: Sequence[int], *, now: datetime) -> list[int]:
    """Mark these dead letters replayed and make their rows due again; returns the row ids.

    Dead letters replayed already are left alone; the outbox rows are read in one query.
    """
    dead_letters = session.exec(
        select(DeadLetter)
        .where(col(DeadLetter.id).in_(ids), col(DeadLetter.replayed_at).is_(None))
        .order_by(col(DeadLetter.id))
        .with_for_update()
    ).all()
    wanted = [dead.outbox_id for dead in dead_letters if dead.outbox_id is not None]
    rows = {
        row.id: row
        for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(wanted)))
    }
    outbox_ids: list[int] = []
    for dead in dead_letters:
        dead.replayed_at = now
        row = rows.get(dead.outbox_id)
        if row is None:
            row = OutboxMessage(actor_name=dead.actor_name, payload=dict(dead.kwargs))
            session.add(row)
            session.flush()
            dead.outbox_id = row.id
        row.dead_at = None
        row.done_at = None
        row.failures = 0
        row.due_at = now
        if row.id is not None:
            outbox_ids.append(row.id)
    return outbox_ids


def describe(error: BaseException) -> str:
    """An error as one line: its type and message."""
    return f"{type(error).__name__}: {error}"


def replay_dead_letters(session: Session, dead_letter_ids: Sequence[int]) -> int:
    """Make these dead letters' jobs due again, sent after the caller's commit (or by the
    sweep when the broker is down); returns how many were not replayed yet."""
    replayed = 0
    unique = list(dict.fromkeys(dead_letter_ids))
    for start in range(0, len(unique), REPLAY_BATCH):
        outbox_ids = reopen_dead_letters(
            session, unique[start : start + REPLAY_BATCH], now=utcnow()
        )
        relay_after_commit(session, outbox_ids)
        replayed += len(outbox_ids)
    return replayed
