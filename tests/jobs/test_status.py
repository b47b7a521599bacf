"""What /readyz and `helpdesk doctor` say of the outbox, the dead letters and the broker."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from helpdesk.cli import main
from helpdesk.db import make_engine, utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.migrate import migrate
from helpdesk.notifications.service import queue_mail

from conftest import WebClient, make_settings
from support.servers import free_port


def strand_mails(engine: Engine, count: int, *, age: timedelta) -> None:
    """Mails whose jobs never left (no runtime relayed them), written `age` ago."""
    with Session(engine) as session:
        for number in range(count):
            queue_mail(session, recipient="awa@example.org", subject=f"{number}", body="x")
        session.commit()
        past = utcnow() - age
        session.execute(update(OutboxMessage).values(created_at=past, due_at=past))
        session.add(DeadLetter(message_id="outbox-x-1", actor_name="notifications.send_mail"))
        session.commit()


def test_readiness_reports_the_backlog_its_age_and_the_dead_letters(
    sqlite_engine: Engine, tmp_path: Path
):
    strand_mails(sqlite_engine, 3, age=timedelta(minutes=10))
    settings = make_settings(tmp_path, outbox_sweep_seconds=10)
    with WebClient.start(sqlite_engine, settings) as web:
        ready = web.client.get("/readyz")
    body = ready.json()
    assert ready.status_code == 200
    assert body["broker"] == {"kind": "in-process", "latency_ms": 0.0}
    outbox = body["outbox"]
    assert (outbox["backlog"], outbox["unsent"], outbox["dead_letters"]) == (3, 3, 1)
    assert 590 < outbox["oldest_unsent_seconds"] < 900
    assert outbox["overdue"] == 3


def test_readiness_fails_fast_with_redis_unreachable(sqlite_engine: Engine, tmp_path: Path):
    settings = make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with WebClient.start(sqlite_engine, settings) as web:
        ready = web.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": True, "broker": False}
    assert ready.json()["broker"]["latency_ms"] is None


@pytest.fixture()
def doctor_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A migrated SQLite database that the `helpdesk` command reads from the environment."""
    url = f"sqlite:///{tmp_path / 'doctor.db'}"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "doctor-test-secret")
    monkeypatch.delenv("HELPDESK_REDIS_URL", raising=False)
    engine = make_engine(url)
    migrate(engine)
    return engine


def test_doctor_is_happy_with_a_drained_queue(doctor_database: Engine):
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "[ok] Base de données sqlite joignable." in result.output
    assert "[ok] File des travaux : 0 en attente." in result.output
    assert "!!" not in result.output


def test_doctor_explains_a_stuck_outbox_and_dead_letters(doctor_database: Engine):
    strand_mails(doctor_database, 2, age=timedelta(hours=1))
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0  # stuck, but the process can serve
    assert "[!!] 2 travaux jamais transmis" in result.output
    assert "helpdesk clock" in result.output
    assert "[!!] 1 travaux en échec non relancés." in result.output
    assert "/admin/travaux" in result.output


def test_doctor_fails_when_redis_does_not_answer(
    doctor_database: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HELPDESK_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "[!!] Redis ne répond pas." in result.output
    assert "HELPDESK_REDIS_URL" in result.output


def test_doctor_warns_of_sqlite_in_production(
    doctor_database: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HELPDESK_ENV", "production")
    result = CliRunner().invoke(main, ["doctor"])
    assert "SQLite (défaut embarqué) en production" in result.output
    assert "PostgreSQL" in result.output
