"""The transactional outbox on real servers: PostgreSQL, Redis (dramatiq) and SMTP.

Nothing of ours is mocked; the jobs below are real jobs registered for these tests only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any, TypeVar

import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.auth.models import SignInFailure
from helpdesk.clock import PeriodicJob, tick
from helpdesk.config import Settings
from helpdesk.db import attempt, utcnow
from helpdesk.errors import ValidationFailedError
from helpdesk.intake.mails import queue_acknowledgement
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.jobs.registry import JobContext, enqueue_job, job
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.notifications.models import OutgoingMail
from helpdesk.notifications.service import queue_mail
from helpdesk.tickets.models import Ticket

from conftest import make_settings
from factories import make_ticket
from support.servers import SmtpSink, free_port

T = TypeVar("T")
StartRuntime = Callable[..., JobRuntime]
WAIT_SECONDS = 8.0
SEND_MAIL = "notifications.send_mail"
PURGE = "maintenance.purge_expired"
ROUTING = "routing.ticket_changed"  # enqueued with every new ticket
REQUESTER = "awa.traore@example.org"

# --------------------------------------------------------------------------- test-only jobs

BROKEN = threading.Event()  # while set, tests.flaky_insert fails
RUNS: dict[str, int] = {}  # marker -> how many times tests.flaky_insert ran
_runs_lock = threading.Lock()


def _insert_marker(ctx: JobContext, marker: str) -> None:
    """The observable effect of the test jobs: one outgoing_mail row whose subject is `marker`."""
    ctx.session.add(OutgoingMail(recipient=REQUESTER, subject=marker, body_text="effect"))


@job("tests.insert_row", max_retries=0)
def insert_row(ctx: JobContext, *, marker: str = "periodic", pause: float = 0.0) -> None:
    """Insert a marker row, optionally holding the transaction open for `pause` seconds."""
    _insert_marker(ctx, marker)
    ctx.session.flush()
    time.sleep(pause)


@job("tests.flaky_insert", max_retries=1, min_backoff_ms=10, max_backoff_ms=50)
def flaky_insert(ctx: JobContext, *, marker: str) -> None:
    """Insert a marker row, or fail while BROKEN is set."""
    with _runs_lock:
        RUNS[marker] = RUNS.get(marker, 0) + 1
    if BROKEN.is_set():
        raise RuntimeError("the cause is not fixed yet")
    _insert_marker(ctx, marker)


@job("tests.bad_write", max_retries=0)
def bad_write(ctx: JobContext) -> None:
    """Write a row that breaks a foreign key: the job's own IntegrityError."""
    ctx.session.add(OutgoingMail(recipient=REQUESTER, subject="x", body_text="x", ticket_id=10**9))
    ctx.session.flush()


# --------------------------------------------------------------------------- helpers


def wait_until(probe: Callable[[], T], *, what: str, timeout: float = WAIT_SECONDS) -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def count(engine: Engine, model: Any, *where: Any) -> int:
    """How many rows of `model` match `where`."""
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def rows(engine: Engine, model: Any, *where: Any) -> list[Any]:
    """The rows of `model` matching `where`."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(model).where(*where)).all())


def one(engine: Engine, model: Any, *where: Any) -> Any:
    """The single row of `model` matching `where`."""
    found = rows(engine, model, *where)
    assert len(found) == 1, found
    return found[0]


def session_of(through: JobRuntime | Engine) -> Session:
    """A session whose commit relays through the runtime, or (on a bare engine) does not."""
    if isinstance(through, JobRuntime):
        return through.session()
    return Session(through, expire_on_commit=False)


def create_ticket(through: JobRuntime | Engine) -> Ticket:
    """A ticket with a requester e-mail and its acknowledgement (as the intake queues it)."""
    with session_of(through) as session:
        ticket = make_ticket(session, requester_email=REQUESTER)
        queue_acknowledgement(session, ticket=ticket, url="http://127.0.0.1:8000/suivi/x")
        session.commit()
    return ticket


def commit_job(through: JobRuntime | Engine, actor_name: str, **kwargs: Any) -> int:
    """Enqueue a job in a transaction of its own, commit it and return its outbox id."""
    with session_of(through) as session:
        enqueue_job(session, actor_name, **kwargs)
        outbox_id = session.exec(select(func.max(OutboxMessage.id))).one()
        session.commit()
    assert outbox_id is not None
    return int(outbox_id)


def commit_mail(
    through: JobRuntime | Engine, *, recipient: str = REQUESTER, subject: str = "Bonjour"
) -> int:
    """Queue an e-mail through the notifications service, commit, return the mail id."""
    with session_of(through) as session:
        mail = queue_mail(session, recipient=recipient, subject=subject, body="Corps du message.")
        session.commit()
    assert mail.id is not None
    return mail.id


def mail_sent(engine: Engine, mail_id: int) -> bool:
    """Whether the send_mail job recorded the e-mail as sent."""
    mail = one(engine, OutgoingMail, col(OutgoingMail.id) == mail_id)
    return mail.sent_at is not None


def executions(engine: Engine) -> list[str]:
    """The outbox rows whose effect committed (apart from the routing job of each ticket)."""
    done = rows(engine, OutboxMessage, col(OutboxMessage.done_at).is_not(None))
    return sorted(f"{row.actor_name}:{row.id}" for row in done if row.actor_name != ROUTING)


def sweep_until(runtime: JobRuntime, probe: Callable[[], T], *, what: str) -> T:
    """Sweep (as the clock does) until `probe` answers: retries wait in the outbox rows."""

    def swept() -> T:
        runtime.sweep()
        return probe()

    return wait_until(swept, what=what)


def dead_letter_of(engine: Engine, actor_name: str) -> DeadLetter | None:
    """The dead letter of an actor, if it has one yet."""
    found = rows(engine, DeadLetter, DeadLetter.actor_name == actor_name)
    return found[0] if found else None


def send_again(runtime: JobRuntime, outbox_id: int) -> None:
    """Hand an outbox row's message to the broker once more, as a redelivery would."""
    row = one(runtime.engine, OutboxMessage, col(OutboxMessage.id) == outbox_id)
    actor = runtime.broker.get_actor(row.actor_name)
    actor.send_with_options(kwargs={**row.payload, "outbox_id": outbox_id})


@pytest.fixture(autouse=True)
def _fresh_test_jobs() -> None:
    """The test-only jobs start healthy with no recorded run."""
    BROKEN.clear()
    RUNS.clear()


# --------------------------------------------------------------------------- 1. exactly once


def test_acknowledgement_reaches_smtp_exactly_once_over_redis(
    postgres_engine: Engine, redis_settings: Settings, smtp: SmtpSink, start_runtime: StartRuntime
):
    runtime = start_runtime(redis_settings, postgres_engine)
    assert isinstance(runtime.broker, RedisBroker)

    ticket = create_ticket(runtime)

    smtp.wait_for(1)
    mail = one(postgres_engine, OutgoingMail, OutgoingMail.ticket_id == ticket.id)
    wait_until(lambda: mail_sent(postgres_engine, mail.id), what="OutgoingMail.sent_at")
    assert runtime.sweep() == 0
    runtime.join()
    received = smtp.messages
    assert len(received) == 1
    assert received[0].rcpt_tos == (REQUESTER,)
    assert ticket.reference in received[0].message["Subject"]
    outbox = one(postgres_engine, OutboxMessage, OutboxMessage.actor_name == SEND_MAIL)
    assert outbox.sent_at is not None
    assert outbox.attempts == 1
    assert outbox.last_error is None
    assert executions(postgres_engine) == [f"{SEND_MAIL}:{outbox.id}"]


# --------------------------------------------------------------------------- 2. Redis down


def test_commit_survives_unreachable_redis_and_sweep_delivers_later(
    postgres_engine: Engine,
    redis_settings: Settings,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
    tmp_path: Path,
):
    closed_port = free_port()
    down_settings = redis_settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{closed_port}/0"}
    )
    down = start_runtime(down_settings, postgres_engine, worker=False)

    started = time.monotonic()
    ticket = create_ticket(down)
    elapsed = time.monotonic() - started

    assert elapsed < 0.5, f"the commit waited {elapsed:.2f}s for an unreachable Redis"
    assert count(postgres_engine, Ticket, Ticket.reference == ticket.reference) == 1
    assert down.relay.wait_idle()
    # The ticket's routing job was written first: the relay stops at its failure.
    first, outbox = sorted(rows(postgres_engine, OutboxMessage), key=lambda row: row.id)
    assert (first.actor_name, outbox.actor_name) == (ROUTING, SEND_MAIL)
    assert first.sent_at is None and outbox.sent_at is None
    assert first.attempts == 0
    assert first.last_error is not None
    assert first.last_error.startswith("ConnectionError")
    assert down.sweep() == 0  # still down: nothing leaves, nothing lost
    assert count(postgres_engine, OutboxMessage, col(OutboxMessage.sent_at).is_(None)) == 2
    down.stop()

    live = start_runtime(redis_settings, postgres_engine)
    assert live.sweep() == 2
    smtp.wait_for(1)
    live.join()
    assert live.sweep() == 0
    live.join()
    assert len(smtp.messages) == 1
    assert count(postgres_engine, OutboxMessage, col(OutboxMessage.sent_at).is_(None)) == 0
    assert executions(postgres_engine) == [f"{SEND_MAIL}:{outbox.id}"]


def test_redis_outage_does_not_lose_jobs_of_a_batch(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    down_settings = redis_settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}
    )
    down = start_runtime(down_settings, postgres_engine, worker=False)
    with down.session() as session:
        for number in range(3):
            enqueue_job(session, "tests.insert_row", marker=f"batch-{number}")
        session.commit()
    assert down.relay.wait_idle()
    assert count(postgres_engine, OutboxMessage, col(OutboxMessage.sent_at).is_(None)) == 3

    live = start_runtime(redis_settings, postgres_engine)
    assert live.sweep() == 3
    live.join()
    assert count(postgres_engine, OutgoingMail, col(OutgoingMail.subject).like("batch-%")) == 3


# --------------------------------------------------------------------------- 3. run twice


def test_same_outbox_message_sent_twice_sends_one_mail(
    postgres_engine: Engine, redis_settings: Settings, smtp: SmtpSink, start_runtime: StartRuntime
):
    runtime = start_runtime(redis_settings, postgres_engine)
    mail_id = commit_mail(runtime, subject="Deux fois")
    smtp.wait_for(1)
    wait_until(lambda: mail_sent(postgres_engine, mail_id), what="the first delivery")
    outbox = one(postgres_engine, OutboxMessage)

    assert runtime.dispatch([outbox.id]) == 0  # done: the relay and the sweep leave it
    send_again(runtime, outbox.id)  # a redelivery by the broker
    send_again(runtime, outbox.id)
    runtime.join()

    assert len(smtp.messages) == 1
    assert executions(postgres_engine) == [f"{SEND_MAIL}:{outbox.id}"]


def test_concurrent_runs_of_one_message_have_one_effect(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    runtime = start_runtime(redis_settings, postgres_engine)
    outbox_id = commit_job(runtime, "tests.insert_row", marker="once", pause=0.3)
    send_again(runtime, outbox_id)  # delivered three times, at the same moment
    send_again(runtime, outbox_id)
    runtime.join()

    assert count(postgres_engine, OutgoingMail, OutgoingMail.subject == "once") == 1
    assert executions(postgres_engine) == [f"tests.insert_row:{outbox_id}"]
    assert dead_letter_of(postgres_engine, "tests.insert_row") is None


# --------------------------------------------------------------------------- 4. dead letters


def test_exhausted_job_becomes_dead_letter_and_replay_takes_effect_once(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    BROKEN.set()
    runtime = start_runtime(redis_settings, postgres_engine)
    outbox_id = commit_job(runtime, "tests.flaky_insert", marker="replayed")

    dead = sweep_until(
        runtime,
        lambda: dead_letter_of(postgres_engine, "tests.flaky_insert"),
        what="the dead letter",
    )
    runtime.join()
    assert dead.outbox_id == outbox_id
    assert dead.kwargs == {"marker": "replayed"}
    assert dead.error == "RuntimeError: the cause is not fixed yet"
    assert dead.replayed_at is None
    assert RUNS["replayed"] == 2  # the first run and max_retries=1 retry
    assert executions(postgres_engine) == []

    BROKEN.clear()
    assert dead.id is not None
    runtime.replay_dead_letter(dead.id)
    runtime.join()
    runtime.replay_dead_letter(dead.id)  # a second click does nothing
    send_again(runtime, outbox_id)  # nor does a late duplicate
    runtime.join()

    assert count(postgres_engine, OutgoingMail, OutgoingMail.subject == "replayed") == 1
    assert executions(postgres_engine) == [f"tests.flaky_insert:{outbox_id}"]
    assert RUNS["replayed"] == 3
    replayed = one(postgres_engine, DeadLetter)
    assert replayed.replayed_at is not None


def test_a_replayed_job_that_fails_again_is_a_second_dead_letter(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    BROKEN.set()
    runtime = start_runtime(redis_settings, postgres_engine)
    commit_job(runtime, "tests.flaky_insert", marker="twice")
    first = sweep_until(
        runtime, lambda: dead_letter_of(postgres_engine, "tests.flaky_insert"), what="1st death"
    )
    assert first.id is not None
    assert runtime.replay_dead_letters([first.id]) == 1

    sweep_until(
        runtime,
        lambda: count(postgres_engine, DeadLetter) == 2,
        what="the second dead letter",
    )
    runtime.join()
    assert RUNS["twice"] == 4  # two runs before each death
    assert count(postgres_engine, DeadLetter, col(DeadLetter.replayed_at).is_(None)) == 1
    row = one(postgres_engine, OutboxMessage)
    assert row.dead_at is not None and row.done_at is None


def test_job_with_its_own_integrity_error_is_dead_lettered_not_skipped(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    runtime = start_runtime(redis_settings, postgres_engine)
    outbox_id = commit_job(runtime, "tests.bad_write")

    dead = wait_until(
        lambda: dead_letter_of(postgres_engine, "tests.bad_write"), what="the dead letter"
    )
    runtime.join()
    assert dead.outbox_id == outbox_id
    assert dead.error.startswith("IntegrityError")
    assert executions(postgres_engine) == []


# --------------------------------------------------------------------------- 5. the clock


def test_clock_sends_stranded_rows_and_enqueues_purge_once(
    postgres_engine: Engine,
    redis_settings: Settings,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
):
    mail_id = commit_mail(postgres_engine, subject="Restée dans l'outbox")  # no runtime yet
    long_ago = utcnow() - timedelta(days=30)
    with Session(postgres_engine) as session:
        session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=5)))
        session.add(SignInFailure(key_hash="old", at=long_ago))
        session.add(SignInFailure(key_hash="recent"))
        session.commit()
    runtime = start_runtime(redis_settings, postgres_engine)

    last_run: dict[str, float] = {}
    tick(runtime, last_run)
    smtp.wait_for(1)
    tick(runtime, last_run)  # the same clock, a moment later
    tick(runtime, {})  # a restarted clock within the period
    runtime.join()

    assert len(smtp.messages) == 1
    assert mail_sent(postgres_engine, mail_id)
    purge = one(postgres_engine, OutboxMessage, OutboxMessage.actor_name == PURGE)
    assert purge.sent_at is not None
    assert f"{PURGE}:{purge.id}" in executions(postgres_engine)
    assert [f.key_hash for f in rows(postgres_engine, SignInFailure)] == ["recent"]


def test_clock_enqueues_a_periodic_job_once_per_period(
    postgres_engine: Engine, redis_settings: Settings, start_runtime: StartRuntime
):
    runtime = start_runtime(redis_settings, postgres_engine)
    every_second = (PeriodicJob("tests.insert_row", 1),)
    last_run: dict[str, float] = {}

    tick(runtime, last_run, jobs=every_second)
    tick(runtime, last_run, jobs=every_second)
    tick(runtime, {}, jobs=every_second)
    assert count(postgres_engine, OutboxMessage) == 1

    time.sleep(1.05)  # the period itself: the only way to reach the next one
    tick(runtime, last_run, jobs=every_second)
    runtime.join()

    outbox = rows(postgres_engine, OutboxMessage)
    assert len(outbox) == 2
    assert all(row.sent_at is not None for row in outbox)
    assert count(postgres_engine, OutgoingMail, OutgoingMail.subject == "periodic") == 2


# --------------------------------------------------------------------------- 6. headers


def test_line_breaks_cannot_inject_headers(
    postgres_engine: Engine, redis_settings: Settings, smtp: SmtpSink, start_runtime: StartRuntime
):
    runtime = start_runtime(redis_settings, postgres_engine)
    injected = "Bcc: intrus@evil.example\r\nX-Injected: yes"
    good_id = commit_mail(runtime, subject=f"Bonjour\r\n{injected}\n\rFin")
    bad_id = commit_mail(runtime, recipient=f"{REQUESTER}\r\n{injected}")

    smtp.wait_for(1)
    dead = wait_until(lambda: dead_letter_of(postgres_engine, SEND_MAIL), what="the refused mail")
    runtime.join()

    [received] = smtp.messages
    headers = received.message
    assert received.rcpt_tos == (REQUESTER,)
    assert headers["Bcc"] is None
    assert headers["X-Injected"] is None
    assert headers.get_all("To") == [REQUESTER]
    assert headers.get_all("Subject") == ["Bonjour Bcc: intrus@evil.example X-Injected: yes Fin"]
    assert mail_sent(postgres_engine, good_id)
    assert not mail_sent(postgres_engine, bad_id)
    assert dead.error.startswith("InvalidRecipientError")
    assert dead.kwargs == {"mail_id": bad_id}


# --------------------------------------------------------------------------- 7. embedded


@pytest.mark.parametrize("delivery", ["eml", "smtp"])
def test_embedded_default_delivers_on_sqlite(
    delivery: str,
    sqlite_engine: Engine,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
    tmp_path: Path,
):
    smtp_settings = {"smtp_host": smtp.host, "smtp_port": smtp.port} if delivery == "smtp" else {}
    settings = make_settings(tmp_path, **smtp_settings)
    runtime = start_runtime(settings, sqlite_engine)
    assert isinstance(runtime.broker, StubBroker)

    ticket = create_ticket(runtime)
    mail = one(sqlite_engine, OutgoingMail, OutgoingMail.ticket_id == ticket.id)
    wait_until(lambda: mail_sent(sqlite_engine, mail.id), what="OutgoingMail.sent_at")
    runtime.join()
    assert runtime.sweep() == 0

    if delivery == "smtp":
        [received] = smtp.messages
        subject, recipient = received.message["Subject"], received.message["To"]
    else:
        [eml] = list(Path(settings.mail_dir).glob("*.eml"))
        parsed = message_from_bytes(eml.read_bytes(), policy=email_policy.default)
        subject, recipient = parsed["Subject"], parsed["To"]
        assert smtp.messages == []
    assert ticket.reference in subject
    assert recipient == REQUESTER
    assert one(sqlite_engine, OutboxMessage, OutboxMessage.actor_name == SEND_MAIL).sent_at


def test_rows_written_inside_a_savepoint_leave_at_the_real_commit(
    sqlite_engine: Engine, tmp_path: Path, smtp: SmtpSink, start_runtime: StartRuntime
):
    settings = make_settings(tmp_path, smtp_host=smtp.host, smtp_port=smtp.port)
    runtime = start_runtime(settings, sqlite_engine, worker=False)
    with runtime.session() as session:
        with session.begin_nested():
            queue_mail(session, recipient=REQUESTER, subject="Savepoint", body="Corps")
        row = session.exec(select(OutboxMessage)).one()
        assert row.sent_at is None  # released savepoint: nothing was sent yet
        session.commit()
    assert runtime.relay.wait_idle()
    with Session(sqlite_engine) as session:
        assert session.exec(select(OutboxMessage)).one().sent_at is not None
    runtime.start_worker()
    assert smtp.wait_for(1)[0].message["Subject"] == "Savepoint"


def test_a_refused_attempt_undoes_its_rows_and_keeps_those_written_before(
    sqlite_engine: Engine, tmp_path: Path, smtp: SmtpSink, start_runtime: StartRuntime
):
    settings = make_settings(tmp_path, smtp_host=smtp.host, smtp_port=smtp.port)
    runtime = start_runtime(settings, sqlite_engine, worker=False)
    with runtime.session() as session:
        queue_mail(session, recipient=REQUESTER, subject="Avant", body="Corps")
        with pytest.raises(ValidationFailedError), attempt(session):
            queue_mail(session, recipient=REQUESTER, subject="Refusé", body="Corps")
            raise ValidationFailedError("refusé")
        queue_mail(session, recipient=REQUESTER, subject="Après", body="Corps")
        session.commit()
    assert runtime.relay.wait_idle()
    outbox = rows(sqlite_engine, OutboxMessage)
    assert len(outbox) == 2 and all(row.sent_at is not None for row in outbox)  # relayed
    assert [m.subject for m in rows(sqlite_engine, OutgoingMail)] == ["Avant", "Après"]
    runtime.start_worker()
    subjects = sorted(m.message["Subject"] for m in smtp.wait_for(2))
    assert subjects == ["Après", "Avant"]


def test_a_session_without_a_runtime_leaves_its_rows_to_the_sweep(
    sqlite_engine: Engine, tmp_path: Path, start_runtime: StartRuntime
):
    runtime = start_runtime(make_settings(tmp_path), sqlite_engine, worker=False)
    other = start_runtime(make_settings(tmp_path), sqlite_engine, worker=False)
    commit_mail(sqlite_engine, subject="Sans runtime")
    assert one(sqlite_engine, OutboxMessage).sent_at is None  # no runtime: nothing left
    commit_mail(other, subject="Par l'autre")
    assert other.relay.wait_idle()
    sent = rows(sqlite_engine, OutboxMessage, col(OutboxMessage.sent_at).is_not(None))
    assert len(sent) == 1  # relayed by the runtime the session carries
    assert runtime.sweep() == 1
