"""The retention job run twice (SQLite and PostgreSQL): idempotent, files gone, statistics kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Agent, Role
from helpdesk.clock import PERIODIC_JOBS
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.intake.models import ContactSubmission, FollowUpLink, RateHit
from helpdesk.intake.service import issue_link
from helpdesk.jobs.registry import JOBS
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.notifications.models import OutgoingMail
from helpdesk.privacy.anonymise import MARKER
from helpdesk.privacy.models import RetentionRun
from helpdesk.privacy.tasks import RETENTION_JOB
from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets.attachments import attachment_path, store_attachment
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import (
    Attachment,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketEvent,
    TicketSearchDocument,
)
from helpdesk.tickets.search import matching_ticket_ids
from helpdesk.tickets.service import add_message, change_status

from conftest import make_settings
from factories import make_agent, make_ticket

EMAIL = "moussa.diallo@example.org"


@pytest.fixture()
def runtime(engine: Engine, tmp_path: Path) -> Iterator[JobRuntime]:
    """A job runtime on the test database (jobs are run inline with `execute`)."""
    job_runtime = JobRuntime(make_settings(tmp_path), engine)
    yield job_runtime
    job_runtime.stop()


def run_job(runtime: JobRuntime) -> None:
    """One run of the retention job, as a worker runs it."""
    runtime.execute(JOBS[RETENTION_JOB], None, {})


def closed_ticket(
    session: Session, settings: Settings, admin: Agent, *, days_ago: int, email: str
) -> Ticket:
    """A ticket of the CCC with a file, a reply, a hand-over, closed that many days ago."""
    ticket = make_ticket(
        session,
        requester_email=email,
        requester_name="Moussa Diallo",
        requester_phone="06 12 34 56 78",
        requester_foreign_number="1234567890",
        dossier_number="9403202606060001234",
        body=f"Bonjour, je suis Moussa Diallo, joignable au 06 12 34 56 78 ({email}).",
    )
    store_attachment(
        session,
        storage_dir=settings.storage_dir,
        ticket=ticket,
        filename="passeport-moussa.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 passeport",
    )
    issue_link(session, ticket=ticket)
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="dp-anef",
        actor=admin,
        reason="M. Diallo attend depuis six mois",
        checked="Dossier de M. Diallo vérifié",
        question="Pourquoi ce retard ?",
    )
    add_message(
        session,
        ticket_id=ticket.id,  # type: ignore[arg-type]
        kind=MessageKind.INTERNAL_NOTE,
        body="M. Diallo rappelle souvent.",
        actor=admin,
    )
    session.add(
        OutgoingMail(
            recipient=email,
            subject="Votre demande",
            body_text="Bonjour Moussa Diallo",
            ticket_id=ticket.id,
            sent_at=utcnow(),
        )
    )
    session.add(ContactSubmission(fingerprint="f" * 64, ticket_id=ticket.id))  # type: ignore[arg-type]
    check_ticket(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    change_status(session, ticket_id=ticket.id, status=Status.RESOLVED, actor=admin)  # type: ignore[arg-type]
    change_status(session, ticket_id=ticket.id, status=Status.CLOSED, actor=admin)  # type: ignore[arg-type]
    session.flush()
    ticket.closed_at = utcnow() - timedelta(days=days_ago)
    return ticket


def statistics(session: Session, ticket_id: int) -> dict[str, object]:
    """What anonymisation must keep of a ticket."""
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    session.refresh(ticket)
    clocks = session.exec(select(TicketSlaClock).where(TicketSlaClock.ticket_id == ticket_id)).all()
    messages = session.exec(
        select(func.count()).select_from(Message).where(Message.ticket_id == ticket_id)
    ).one()
    return {
        "reference": ticket.reference,
        "procedure": ticket.procedure,
        "channel": ticket.channel,
        "status": ticket.status,
        "priority": ticket.priority,
        "queue_id": ticket.queue_id,
        "owner_queue_id": ticket.owner_queue_id,
        "created_at": ticket.created_at,
        "closed_at": ticket.closed_at,
        "resolved_at": ticket.resolved_at,
        "messages": messages,
        "clocks": sorted((c.queue_id, c.started_at, c.stopped_at) for c in clocks),
    }


def test_the_retention_job_anonymises_purges_and_is_idempotent(runtime: JobRuntime, tmp_path: Path):
    settings = runtime.settings
    with runtime.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        old = closed_ticket(session, settings, admin, days_ago=800, email=EMAIL)
        middle = closed_ticket(session, settings, admin, days_ago=400, email="awa@example.org")
        recent = closed_ticket(session, settings, admin, days_ago=10, email="lea@example.org")
        open_ticket = make_ticket(session, requester_email="ines@example.org")
        open_ticket.created_at = utcnow() - timedelta(days=1000)
        session.add(AuditEvent(kind="sign_in", at=utcnow() - timedelta(days=400)))
        session.add(AuditEvent(kind="sign_in", at=utcnow() - timedelta(days=10)))
        session.add(RateHit(client_key="k" * 64, at=utcnow() - timedelta(days=5)))
        session.add(RateHit(client_key="k" * 64, at=utcnow()))
        session.commit()
        old_id, middle_id, recent_id = old.id, middle.id, recent.id
        files = {
            a.ticket_id: attachment_path(settings.storage_dir, a)
            for a in session.exec(select(Attachment))
        }
        before = statistics(session, old_id)  # type: ignore[arg-type]
        assert before["clocks"] and before["messages"] == 2  # the first message and the note
        history = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == old_id)).all()
        assert "Diallo" in repr([(e.reason, e.data) for e in history])
        versions = {t.id: t.version for t in session.exec(select(Ticket))}
        recent_before = session.get(Ticket, recent_id).model_dump()  # type: ignore[union-attr]

    run_job(runtime)

    with runtime.session() as session:
        old = session.get(Ticket, old_id)
        assert old is not None and old.anonymised_at is not None
        assert (old.requester_name, old.requester_email, old.requester_phone) == ("", None, None)
        assert (old.requester_foreign_number, old.dossier_number) == (None, None)
        assert old.subject == MARKER
        assert statistics(session, old_id) == before  # type: ignore[arg-type]
        bodies = session.exec(select(Message.body).where(Message.ticket_id == old_id)).all()
        assert bodies and set(bodies) == {MARKER}
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == old_id)).all()
        assert "Diallo" not in repr([(e.reason, e.from_value, e.to_value, e.data) for e in events])
        assert {"escalate", "status_changed", "anonymised"} <= {e.kind for e in events}
        assert not files[old_id].exists() and not files[middle_id].exists()
        assert files[recent_id].exists()
        for model in (Attachment, FollowUpLink, OutgoingMail, ContactSubmission):
            rows = session.exec(select(model).where(model.ticket_id == old_id)).all()  # type: ignore[attr-defined]
            assert rows == [], model
        document = session.get(TicketSearchDocument, old_id)
        assert document is not None and "diallo" not in f"{document.contact} {document.body}"
        found = matching_ticket_ids(session, EMAIL)
        assert found is None or old_id not in session.exec(select(Ticket.id).where(found)).all()
        middle = session.get(Ticket, middle_id)
        assert middle is not None and middle.anonymised_at is None  # only its files went
        assert middle.requester_email == "awa@example.org"
        recent = session.get(Ticket, recent_id)
        assert recent is not None and recent.model_dump() == recent_before
        assert (
            session.exec(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "sign_in")
            ).one()
            == 1
        )
        assert len(session.exec(select(RateHit)).all()) == 1
        run = session.exec(select(RetentionRun)).one()
        assert run.counts["tickets"] == 1 and run.counts["attachments"] == 2
        assert run.counts["audit_events"] == 1 and run.counts["rate_limit_hits"] == 1
        assert run.finished_at is not None and run.more is False
        audit = session.exec(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.RETENTION_RUN)
        ).one()
        assert audit.object_id == str(run.id) and audit.detail == run.counts
        after_first = {t.id: t.version for t in session.exec(select(Ticket))}
        assert after_first[old_id] > versions[old_id]
        assert after_first[recent_id] == versions[recent_id]

    run_job(runtime)  # the second run finds nothing left to do

    with runtime.session() as session:
        runs = session.exec(select(RetentionRun).order_by(RetentionRun.id)).all()  # type: ignore[arg-type]
        assert len(runs) == 2 and runs[1].counts == {}
        assert {t.id: t.version for t in session.exec(select(Ticket))} == after_first
        assert statistics(session, old_id) == before  # type: ignore[arg-type]
        lines = session.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == old_id, TicketEvent.kind == "anonymised"
            )
        ).all()
        assert len(lines) == 1


def test_the_clock_runs_the_retention_job_daily():
    periodic = {job.actor_name: job.every_seconds for job in PERIODIC_JOBS}
    assert periodic[RETENTION_JOB] == 24 * 3600
