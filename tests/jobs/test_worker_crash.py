"""Real dramatiq worker processes killed with SIGKILL mid-job, on PostgreSQL and Redis.

The job is the sending of an e-mail: the SMTP sink's gate sees the message arrive and
kills the worker, either before accepting it or after (before the job could commit).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.config import Settings
from helpdesk.jobs.models import OutboxMessage
from helpdesk.notifications.service import queue_mail

from .conftest import StartRuntime
from .test_outbox import mail_sent, wait_until
from support.faults import Worker
from support.servers import ReceivedMail, SmtpSink

ROOT = Path(__file__).resolve().parents[2]
REQUEUE_LIMIT_S = 60.0


@pytest.fixture()
def workers() -> Iterator[list[Worker]]:
    """The worker processes a test starts; all are killed after it."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def database_url(engine: Engine) -> str:
    """The engine's URL with its password, for another process."""
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("moment", ["before_acceptance", "after_acceptance"])
def test_worker_killed_mid_send_runs_again_within_a_minute_with_one_message_id(
    moment: str,
    postgres_engine: Engine,
    redis_settings: Settings,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
    workers: list[Worker],
):
    first = Worker(redis_settings, database_url(postgres_engine))
    workers.append(first)
    killed = threading.Event()
    killed_at: list[float] = []

    async def gate(mail: ReceivedMail) -> bool:
        if killed.is_set():
            return True  # the second worker's send
        await asyncio.to_thread(first.kill)
        killed_at.append(time.monotonic())
        killed.set()
        return moment == "after_acceptance"  # accepted (stored) or never accepted

    smtp.gate = gate
    web = start_runtime(redis_settings, postgres_engine, worker=False)
    with web.session() as session:
        mail = queue_mail(session, recipient="awa.traore@example.org", subject="Accusé", body="x")
        session.commit()
    assert killed.wait(30), "the first worker never tried to send"

    workers.append(Worker(redis_settings, database_url(postgres_engine)))
    expected = 2 if moment == "after_acceptance" else 1
    received = smtp.wait_for(expected, timeout=REQUEUE_LIMIT_S)
    requeue_delay = time.monotonic() - killed_at[0]

    assert requeue_delay < REQUEUE_LIMIT_S
    ids = {message.message["Message-ID"] for message in received}
    assert ids == {mail.message_id}  # a resend carries the recorded Message-ID, never a new one
    assert wait_until(lambda: mail_sent(postgres_engine, mail.id), what="the job's commit")
    with Session(postgres_engine) as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.actor_name == "notifications.send_mail")
        ).one()
        assert row.done_at is not None and row.failures == 0
    time.sleep(1)
    assert len(smtp.messages) == expected  # no further send after the effect committed
    with Session(postgres_engine) as session:
        pending = session.exec(select(OutboxMessage).where(col(OutboxMessage.done_at).is_(None)))
        assert pending.all() == []
