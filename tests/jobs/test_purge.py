"""Finished jobs are purged after a while, in bounded batches; dead letters keep theirs."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from helpdesk.db import utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.maintenance import purge_finished_jobs


def outbox_row(session: Session, *, done_days_ago: float | None) -> int:
    """An outbox row finished that many days ago (None: still pending)."""
    done = utcnow() - timedelta(days=done_days_ago) if done_days_ago is not None else None
    row = OutboxMessage(actor_name="notifications.send_mail", payload={}, done_at=done)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def test_only_old_finished_jobs_without_dead_letter_go(session: Session):
    old = [outbox_row(session, done_days_ago=30) for _ in range(5)]
    recent = outbox_row(session, done_days_ago=1)
    pending = outbox_row(session, done_days_ago=None)
    replayed = outbox_row(session, done_days_ago=30)  # failed, then replayed and done
    session.add(
        DeadLetter(message_id="dead-1", actor_name="notifications.send_mail", outbox_id=replayed)
    )
    session.commit()
    purged = purge_finished_jobs(session, before=utcnow() - timedelta(days=7), batch=2)
    session.commit()
    left = set(session.exec(select(OutboxMessage.id)).all())
    assert purged == len(old)  # three batches of at most two
    assert left == {recent, pending, replayed}


def test_a_run_stops_after_its_rounds(session: Session):
    for _ in range(5):
        outbox_row(session, done_days_ago=30)
    session.commit()
    before = utcnow() - timedelta(days=7)
    assert purge_finished_jobs(session, before=before, batch=2, rounds=1) == 2
    assert purge_finished_jobs(session, before=before, batch=2, rounds=5) == 3  # the rest
    session.commit()
    assert session.exec(select(OutboxMessage.id)).all() == []
