"""Replaying a dead letter whose cause is not fixed: the job becomes a dead letter again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.jobs.registry import JobContext, job
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.notifications.models import OutgoingMail

from conftest import make_settings

StartRuntime = Callable[..., JobRuntime]
FIXED = threading.Event()  # once set, tests.fails_until_fixed works


@job("tests.fails_until_fixed", max_retries=0)
def fails_until_fixed(ctx: JobContext, *, marker: str) -> None:
    """Fail until the cause is fixed, then leave one marker row."""
    if not FIXED.is_set():
        raise RuntimeError("the cause is not fixed yet")
    ctx.session.add(OutgoingMail(recipient="a@example.org", subject=marker, body_text="effect"))


def dead_letters(engine: Engine) -> list[DeadLetter]:
    """Every dead letter, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(DeadLetter).order_by(col(DeadLetter.id))).all())


def test_a_replayed_job_that_fails_again_is_a_dead_letter_again(
    sqlite_engine: Engine, tmp_path: Path, start_runtime: StartRuntime
):
    FIXED.clear()
    runtime = start_runtime(make_settings(tmp_path), sqlite_engine)
    outbox_id = runtime.enqueue("tests.fails_until_fixed", marker="rejoué")
    runtime.join()
    (first,) = dead_letters(sqlite_engine)
    assert first.id is not None

    runtime.replay_dead_letter(first.id)  # too early: the cause is still there
    runtime.join()

    first_again, second = dead_letters(sqlite_engine)
    assert first_again.replayed_at is not None
    assert second.outbox_id == outbox_id and second.replayed_at is None
    assert second.message_id != first.message_id
    with Session(sqlite_engine) as session:
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None and row.dead_at is not None  # given up, not retried forever

    FIXED.set()
    assert second.id is not None
    runtime.replay_dead_letter(second.id)
    runtime.join()
    with Session(sqlite_engine) as session:
        marks = session.exec(select(OutgoingMail).where(OutgoingMail.subject == "rejoué")).all()
    assert len(marks) == 1
    assert len(dead_letters(sqlite_engine)) == 2
