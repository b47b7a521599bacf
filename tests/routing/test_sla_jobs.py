"""The periodic SLA check on the real Redis broker: run twice, it notifies once."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.clock import PERIODIC_JOBS
from helpdesk.notifications.models import OutgoingMail
from helpdesk.ticket_routing.tasks import SLA_CHECK_JOB

from factories import make_agent
from support.routing import events_of, paris, routed_ticket, set_history_times


def test_the_sla_check_is_a_periodic_job_of_the_clock():
    assert SLA_CHECK_JOB in {job.actor_name for job in PERIODIC_JOBS}


def test_breach_job_run_twice_on_redis_notifies_once(postgres_engine: Engine, runtime_on, smtp):
    with Session(postgres_engine, expire_on_commit=False) as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="ccc")
        ticket = routed_ticket(session)
        set_history_times(session, ticket, {"created": [paris(2, 9)]})  # long overdue
    runtime = runtime_on(postgres_engine)
    first = runtime.enqueue(SLA_CHECK_JOB)
    second = runtime.enqueue(SLA_CHECK_JOB)
    assert first != second  # two distinct messages, not one deduplicated
    runtime.start_worker()  # both run at once on four worker threads
    runtime.join()
    runtime.join()  # the e-mails queued by the check are sent by their own job
    with Session(postgres_engine) as session:
        breaches = events_of(session, ticket, "sla_breached")
        mails = session.exec(
            select(OutgoingMail).where(OutgoingMail.recipient == supervisor.email)
        ).all()
    assert sorted(e.data["target"] for e in breaches) == ["resolution", "response"]
    # one e-mail naming both missed targets, however many times the check ran
    assert len(mails) == 1 and ticket.reference in mails[0].body_text
    assert "première réponse" in mails[0].body_text and "résolution" in mails[0].body_text
    received = smtp.wait_for(1)
    assert len(received) == 1
    assert {to for m in received for to in m.rcpt_tos} == {supervisor.email}
