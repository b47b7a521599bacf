"""The alert on dead letters: one summary e-mail per administrator, once per dead letter, and
never an alert about the alert e-mails themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.admin.alerts import DEAD_LETTER_ALERT_JOB, alert_new_dead_letters
from helpdesk.auth.models import Agent, Role
from helpdesk.clock import PERIODIC_JOBS, tick
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.notifications.models import OutgoingMail
from helpdesk.notifications.service import ALERT_MAIL_JOB

from factories import make_agent
from support.dead_letters import add_dead_letter, add_many
from support.servers import SmtpSink

BASE_URL = "https://assistance.anef.example.gouv.fr"
SEND_MAIL = "notifications.send_mail"
ROUTING = "routing.ticket_changed"
StartRuntime = Callable[..., JobRuntime]


def make_admins(session: Session) -> list[Agent]:
    """Two active administrators, one who left, and agents who are not administrators."""
    admins = [
        make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=()) for _ in range(2)
    ]
    former = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
    former.active = False
    make_agent(session, role=Role.SUPERVISOR)
    make_agent(session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",))
    session.flush()
    return admins


def alert_mails(session: Session) -> list[OutgoingMail]:
    """The alert e-mails queued so far (those whose sending job is the alert one)."""
    mail_ids = [
        row.payload["mail_id"]
        for row in session.exec(
            select(OutboxMessage).where(OutboxMessage.actor_name == ALERT_MAIL_JOB)
        )
    ]
    return list(session.exec(select(OutgoingMail).where(col(OutgoingMail.id).in_(mail_ids))).all())


def test_each_active_admin_gets_one_summary_once_per_dead_letter(session: Session):
    admins = make_admins(session)
    add_many(session, SEND_MAIL, 2, newest=utcnow(), step=timedelta(minutes=1))
    add_dead_letter(session, ROUTING, kwargs={"ticket_id": 1})
    add_dead_letter(session, ROUTING, replayed_at=utcnow())  # replayed before any alert
    session.commit()

    first = alert_new_dead_letters(session, base_url=BASE_URL + "/", now=utcnow())
    session.commit()

    assert (first.dead_letters, first.announced, first.mails) == (4, 3, 2)
    mails = alert_mails(session)
    assert sorted(m.recipient for m in mails) == sorted(a.email for a in admins)
    assert {m.subject for m in mails} == {"Assistance ANEF : 3 travaux en échec à relancer"}
    body = mails[0].body_text
    assert "- Envoi d'un courriel : 2\n- Routage d'un ticket : 1" in body
    assert f"{BASE_URL}/admin/travaux?etat=non-relances" in body
    unalerted = select(DeadLetter).where(col(DeadLetter.alerted_at).is_(None))
    assert session.exec(unalerted).all() == []

    again = alert_new_dead_letters(session, base_url=BASE_URL, now=utcnow())
    session.commit()
    assert (again.dead_letters, again.mails) == (0, 0)
    assert len(alert_mails(session)) == 2

    add_dead_letter(session, SEND_MAIL)
    session.commit()
    later = alert_new_dead_letters(session, base_url=BASE_URL, now=utcnow())
    session.commit()
    assert (later.announced, later.mails) == (1, 2)
    newest = alert_mails(session)[-1]
    assert newest.subject == "Assistance ANEF : 1 travail en échec à relancer"
    assert "Un travail de l'assistance ANEF a épuisé ses tentatives." in newest.body_text


def test_failed_alert_mails_raise_no_new_alert(session: Session):
    make_admins(session)
    failed_alert = add_dead_letter(session, ALERT_MAIL_JOB, kwargs={"mail_id": 1})
    session.commit()

    outcome = alert_new_dead_letters(session, base_url=BASE_URL, now=utcnow())
    session.commit()

    assert (outcome.dead_letters, outcome.announced, outcome.mails) == (1, 0, 0)
    assert alert_mails(session) == []
    session.refresh(failed_alert)
    assert failed_alert.alerted_at is not None  # looked at once, never again


def test_no_administrator_means_no_mail_and_no_error(session: Session):
    add_dead_letter(session, ROUTING)
    session.commit()
    outcome = alert_new_dead_letters(session, base_url=BASE_URL, now=utcnow())
    assert (outcome.announced, outcome.mails) == (1, 0)


def test_the_clock_runs_the_alert_which_reaches_smtp_and_never_loops(
    postgres_engine: Engine,
    redis_settings: Settings,
    smtp: SmtpSink,
    start_runtime: StartRuntime,
):
    """A real round: the clock enqueues the alert, the worker mails the administrators over
    SMTP; an administrator's unusable address makes its alert mail a dead letter at once,
    and the next rounds mail nobody about it."""
    with Session(postgres_engine, expire_on_commit=False) as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        make_agent(
            session, role=Role.ADMIN, organisation="dp-anef", queues=(), email="admin-sans-arobase"
        )
        add_many(session, SEND_MAIL, 3, newest=utcnow(), step=timedelta(minutes=1))
        session.commit()
    runtime = start_runtime(redis_settings, postgres_engine)
    alert_only = tuple(p for p in PERIODIC_JOBS if p.actor_name == DEAD_LETTER_ALERT_JOB)
    assert [p.every_seconds for p in alert_only] == [300]

    tick(runtime, {}, jobs=alert_only)
    received = smtp.wait_for(1)
    runtime.join()

    assert [m.rcpt_tos for m in received] == [(admin.email,)]
    assert received[0].message["Subject"] == "Assistance ANEF : 3 travaux en échec à relancer"
    with Session(postgres_engine) as session:
        dead_alert = session.exec(
            select(DeadLetter).where(DeadLetter.actor_name == ALERT_MAIL_JOB)
        ).one()
        assert "InvalidRecipientError" in dead_alert.error
    _forget_last_alert(postgres_engine)  # the next round, five minutes later
    tick(runtime, {}, jobs=alert_only)
    runtime.join()

    assert len(smtp.messages) == 1
    with Session(postgres_engine) as session:
        rounds = session.exec(
            select(OutboxMessage).where(OutboxMessage.actor_name == DEAD_LETTER_ALERT_JOB)
        ).all()
        assert len(rounds) == 2 and all(r.done_at is not None for r in rounds)
        unalerted = session.exec(select(DeadLetter).where(col(DeadLetter.alerted_at).is_(None)))
        assert unalerted.all() == []
        assert len(alert_mails(session)) == 2  # the first round's two, nothing since


def _forget_last_alert(engine: Engine) -> None:
    """Move the last alert round back in time, as if its period of five minutes had passed."""
    with Session(engine) as session:
        for row in session.exec(
            select(OutboxMessage).where(OutboxMessage.actor_name == DEAD_LETTER_ALERT_JOB)
        ):
            row.created_at = utcnow() - timedelta(minutes=6)
            session.add(row)
        session.commit()
