"""Exactly once on the real servers: PostgreSQL, the dramatiq Redis broker with a worker, SMTP.

A derive job delivered twice (resent by the broker, or run again after its row was reopened)
leaves one notification row and one e-mail in the SMTP sink.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from helpdesk.agent_notifications.capture import DERIVE_JOB
from helpdesk.agent_notifications.models import AgentNotification
from helpdesk.agent_notifications.service import set_email_mode
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.notifications.models import OutgoingMail

from conftest import make_settings
from factories import make_agent, make_ticket
from support.servers import SmtpSink, delete_namespace

WAIT_SECONDS = 10.0


@pytest.fixture()
def runtime(
    postgres_engine: Engine, redis_url: str, smtp: SmtpSink, tmp_path: Path
) -> Iterator[JobRuntime]:
    """A job runtime on the live Redis broker with its worker threads, SMTP to the sink."""
    delete_namespace(redis_url)
    settings = make_settings(
        tmp_path, redis_url=redis_url, smtp_host=smtp.host, smtp_port=smtp.port, worker_threads=2
    )
    started = JobRuntime(settings, postgres_engine)
    started.start_worker()
    yield started
    started.stop()
    delete_namespace(redis_url)


def _count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]


def _wait_until(condition, timeout: float = WAIT_SECONDS) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the job did not finish in time")
        time.sleep(0.05)


def test_a_redelivered_job_notifies_and_mails_once(
    postgres_engine: Engine, runtime: JobRuntime, smtp: SmtpSink
):
    with runtime.session() as session:
        agent = make_agent(session)
        set_email_mode(session, agent, mode="immediate")
        session.commit()
        ticket = make_ticket(session)
        session.commit()  # its relay hands the derive job to Redis; the worker runs it
    smtp.wait_for(1)
    runtime.join()
    with Session(postgres_engine) as session:  # the ticket's creation (routing may add others)
        outbox_id = session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.actor_name == DERIVE_JOB)
            .order_by(col(OutboxMessage.id))
        ).first()
    assert outbox_id is not None
    assert _count(postgres_engine, AgentNotification, AgentNotification.agent_id == agent.id) == 1
    assert len(smtp.messages) == 1

    # 1. The broker delivers the same message again: the run finds its row done.
    runtime.dispatch([outbox_id])  # not due: nothing leaves
    message = runtime.broker.get_actor(DERIVE_JOB)
    with Session(postgres_engine) as session:
        payload = session.get(OutboxMessage, outbox_id).payload  # type: ignore[union-attr]
    message.send_with_options(kwargs={**payload, "outbox_id": outbox_id})
    runtime.join()
    # 2. The row itself is reopened and sent again: the job runs in full a second time.
    with Session(postgres_engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == outbox_id)
            .values(done_at=None, due_at=func.now())
        )
        session.commit()
    assert runtime.dispatch([outbox_id]) == 1
    _wait_until(lambda: _done(postgres_engine, outbox_id))
    runtime.join()
    time.sleep(0.3)  # a second e-mail, if one were sent, would arrive now

    assert _count(postgres_engine, AgentNotification, AgentNotification.agent_id == agent.id) == 1
    assert _count(postgres_engine, OutgoingMail, col(OutgoingMail.ticket_id) == ticket.id) == 1
    received = smtp.messages
    assert len(received) == 1
    assert received[0].rcpt_tos == (agent.email,)
    assert ticket.reference in received[0].message["Subject"]


def _done(engine: Engine, outbox_id: int) -> bool:
    with Session(engine) as session:
        row = session.get(OutboxMessage, outbox_id)
        return row is not None and row.done_at is not None
