"""The embedded default under concurrent senders: SQLite, in-process jobs, uvicorn on loopback."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.app import create_app
from helpdesk.jobs.models import OutboxMessage
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.models import Ticket

from conftest import make_settings
from factories import make_api_key
from support.live import send_all_at_once
from support.servers import serve_in_thread

SENDERS = 20


def test_twenty_concurrent_senders_on_sqlite_all_succeed_and_every_job_runs(
    sqlite_engine: Engine, tmp_path: Path
):
    settings = make_settings(
        tmp_path, intake_rate_limit=1_000, intake_min_fill_seconds=0, worker_threads=2
    )
    with Session(sqlite_engine) as session:
        key = make_api_key(session, scopes=("contact:write",))
        session.commit()
    app = create_app(settings, engine=sqlite_engine, run_jobs=True)
    with serve_in_thread(app) as url:
        sends = send_all_at_once(url, settings, forms=SENDERS, api=SENDERS, api_key=key)
        app.state.jobs.join(timeout_ms=60_000)

    failures = [(s.channel, s.status) for s in sends if s.status not in (200, 201)]
    assert failures == []
    with Session(sqlite_engine) as session:
        tickets = session.exec(select(func.count()).select_from(Ticket)).one()
        unsent_mail = session.exec(
            select(func.count())
            .select_from(OutgoingMail)
            .where(col(OutgoingMail.sent_at).is_(None))
        ).one()
        pending = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.done_at).is_(None))
        ).one()
    assert tickets == 2 * SENDERS
    assert unsent_mail == 0  # every acknowledgement left
    assert pending == 0  # and every job of the outbox took effect
    assert len(list(Path(settings.mail_dir).glob("*.eml"))) == 2 * SENDERS
