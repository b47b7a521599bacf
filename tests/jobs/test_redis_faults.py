"""Redis losing its queues (a restart without persistence) or hanging (frozen), on PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from helpdesk.app import create_app
from helpdesk.clock import sweep_all
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.jobs.models import OutboxMessage
from helpdesk.tickets.models import Ticket

from .conftest import StartRuntime, _flush_dramatiq_keys
from .test_outbox import (
    BROKEN,
    RUNS,
    commit_job,
    commit_mail,
    count,
    mail_sent,
    one,
    rows,
    sweep_until,
    wait_until,
)
from conftest import make_settings
from factories import PASSWORD, make_agent, make_api_key
from support.faults import frozen_redis
from support.live import send_api, send_form
from support.servers import SmtpSink, serve_in_thread

PAGE_BUDGET_S = 2.0


def test_jobs_lost_by_a_restarted_redis_run_once_after_the_sweep(
    postgres_engine: Engine,
    redis_settings: Settings,
    live_redis: str,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
):
    web = start_runtime(redis_settings, postgres_engine, worker=False)
    mail_ids = [commit_mail(web, subject=f"Accusé {n}") for n in range(20)]
    assert web.relay.wait_idle()
    assert count(postgres_engine, OutboxMessage, col(OutboxMessage.sent_at).is_(None)) == 0

    _flush_dramatiq_keys(live_redis)  # Redis restarted without persistence: the queue is gone
    worker = start_runtime(redis_settings, postgres_engine)
    assert web.sweep() == 0  # within the lease, a run may still be on its way
    after_lease = utcnow() + web.lease + timedelta(seconds=1)
    assert web.sweep(now=after_lease) == 20

    received = smtp.wait_for(20)
    worker.join()
    for mail_id in mail_ids:
        wait_until(lambda mail_id=mail_id: mail_sent(postgres_engine, mail_id), what="sent_at")
    assert web.sweep(now=after_lease + 2 * web.lease) == 0  # done: never sent again
    worker.join()
    assert len(smtp.messages) == 20
    assert len({mail.message["Message-ID"] for mail in received}) == 20


def test_a_lease_ending_while_redis_still_holds_the_message_sends_nothing_more(
    postgres_engine: Engine,
    redis_settings: Settings,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
):
    web = start_runtime(redis_settings, postgres_engine, worker=False)
    for n in range(3):
        commit_mail(web, subject=f"En file {n}")
    assert web.relay.wait_idle()

    after_lease = utcnow() + web.lease + timedelta(seconds=1)
    assert web.sweep(now=after_lease) == 0  # still queued in Redis: left there
    renewed = rows(postgres_engine, OutboxMessage)
    assert all(row.due_at > after_lease for row in renewed)
    assert all(row.attempts == 1 for row in renewed)

    worker = start_runtime(redis_settings, postgres_engine)
    smtp.wait_for(3)
    worker.join()
    time.sleep(0.5)
    assert len(smtp.messages) == 3


def test_a_retry_waits_in_the_database_and_survives_redis_losing_everything(
    postgres_engine: Engine,
    redis_settings: Settings,
    live_redis: str,
    start_runtime: StartRuntime,
):
    BROKEN.set()
    runtime = start_runtime(redis_settings, postgres_engine)
    outbox_id = commit_job(runtime, "tests.flaky_insert", marker="durable-retry")
    failed = wait_until(
        lambda: one(postgres_engine, OutboxMessage, OutboxMessage.id == outbox_id).failures,
        what="the first failure",
    )
    assert failed == 1
    row = one(postgres_engine, OutboxMessage, OutboxMessage.id == outbox_id)
    assert row.dead_at is None and row.done_at is None and row.last_error
    _flush_dramatiq_keys(live_redis)

    BROKEN.clear()
    sweep_until(
        runtime,
        lambda: one(postgres_engine, OutboxMessage, OutboxMessage.id == outbox_id).done_at,
        what="the retry",
    )
    runtime.join()
    assert RUNS["durable-retry"] == 2


def timed_get(client: httpx.Client, path: str) -> tuple[int, float]:
    """GET a page; its status and duration."""
    started = time.perf_counter()
    response = client.get(path)
    return response.status_code, time.perf_counter() - started


def test_a_frozen_redis_costs_pages_and_forms_at_most_their_budget(
    postgres_engine: Engine, tmp_path: Path
):
    with Session(postgres_engine) as session:
        email = make_agent(session).email
        key = make_api_key(session, scopes=("contact:write",))
        session.commit()
    with frozen_redis() as url:
        settings = make_settings(
            tmp_path, redis_url=url, intake_rate_limit=1_000, intake_min_fill_seconds=0
        )
        app = create_app(settings, engine=postgres_engine, run_jobs=False)
        with (
            serve_in_thread(app) as base_url,
            httpx.Client(base_url=base_url, timeout=30) as client,
        ):
            sends = [
                send_form(base_url, settings, 1),
                send_api(base_url, settings, 2, api_key=key),
            ]
            sends.append(send_form(base_url, settings, 3))
            ready, ready_seconds = timed_get(client, "/readyz")
            health = timed_get(client, "/healthz")
            client.post(
                "/connexion",
                data={"email": email, "password": PASSWORD, "_csrf_token": _csrf(client)},
            )
            queue = timed_get(client, "/")

    assert [s.status for s in sends] == [200, 201, 200]
    assert max(s.seconds for s in sends) < PAGE_BUDGET_S, sends
    assert ready == 503 and ready_seconds < PAGE_BUDGET_S
    assert health[0] == 200 and health[1] < PAGE_BUDGET_S
    assert queue[0] == 200 and queue[1] < PAGE_BUDGET_S
    assert count(postgres_engine, Ticket) == 3  # nothing the usagers sent was lost
    unsent = count(postgres_engine, OutboxMessage, col(OutboxMessage.sent_at).is_(None))
    assert unsent == count(postgres_engine, OutboxMessage) > 0  # they wait for the sweep


def _csrf(client: httpx.Client) -> str:
    """The CSRF token of the sign-in page."""
    from conftest import CSRF_INPUT

    match = CSRF_INPUT.search(client.get("/connexion").text)
    assert match
    return match.group(1)


def test_the_clock_drains_a_whole_backlog_in_one_tick(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    for number in range(7):
        commit_job(postgres_engine, "tests.insert_row", marker=f"backlog-{number}")
    runtime = start_runtime(redis_settings, postgres_engine)
    assert sweep_all(runtime, batch=3) == 7  # three batches: 3, 3, then 1
    runtime.join()
    assert count(postgres_engine, OutboxMessage, col(OutboxMessage.done_at).is_(None)) == 0
