"""The retention policy: each kind of personal data is removed once its time is over.

Durations come from the settings (HELPDESK_RETENTION_*, see the README). A pass works in
bounded batches (a run stays short; `more` tells the job to chain a continuation), is
idempotent (what is done is not done again: anonymised tickets are marked, rows deleted),
and returns its counts, which the job records in `retention_run` and the audit trail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor, Target, record
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.dossier_links.models import DossierEventReceipt
from helpdesk.intake.models import ContactSubmission, RateHit
from helpdesk.notifications.models import OutgoingMail
from helpdesk.privacy.anonymise import anonymise_ticket, delete_attachments
from helpdesk.privacy.models import DataRequest, RequestStatus, RetentionRun
from helpdesk.tickets.models import Attachment, Status, Ticket

TICKET_BATCH = 100
TICKET_ROUNDS = 5  # at most 500 tickets anonymised a run
ATTACHMENT_BATCH = 500
ATTACHMENT_ROUNDS = 4
PURGE_BATCH = 5_000
PURGE_ROUNDS = 10  # at most 50,000 rows of each kind a run
RETENTION_REASON = "Durée de conservation écoulée"


@dataclass(frozen=True)
class Cutoffs:
    """Before which moment each kind of data is removed."""

    closed_ticket: datetime
    attachment: datetime
    mail: datetime
    audit: datetime
    contact_submission: datetime
    rate_limit: datetime
    dossier_event: datetime
    answered_request: datetime

    @classmethod
    def of(cls, settings: Settings, now: datetime) -> Cutoffs:
        """The cutoffs of the settings' durations, counted back from `now`."""

        def ago(days: int) -> datetime:
            return now - timedelta(days=days)

        return cls(
            closed_ticket=ago(settings.retention_closed_ticket_days),
            attachment=ago(settings.retention_attachment_days),
            mail=ago(settings.retention_mail_days),
            audit=ago(settings.retention_audit_days),
            contact_submission=ago(settings.retention_contact_submission_days),
            rate_limit=ago(settings.retention_rate_limit_days),
            dossier_event=ago(settings.retention_dossier_event_days),
            answered_request=ago(settings.retention_request_days),
        )


@dataclass
class Pass:
    """What one pass did (counts by kind), and whether work is left for another."""

    counts: Counter[str] = field(default_factory=Counter)
    more: bool = False


def apply_retention(session: Session, *, settings: Settings, now: datetime | None = None) -> Pass:
    """Remove, in bounded batches, every kind of data whose retention is over."""
    now = now or utcnow()
    cutoffs = Cutoffs.of(settings, now)
    done = Pass()
    more_tickets = _anonymise_closed(
        session, settings.storage_dir, cutoffs.closed_ticket, now, done
    )
    more_files = _delete_old_attachments(session, settings.storage_dir, cutoffs.attachment, done)
    more_rows = _purge_rows(session, cutoffs, done)
    done.more = more_tickets or more_files or more_rows
    return done


def _anonymise_closed(
    session: Session, storage_dir: Path, before: datetime, now: datetime, done: Pass
) -> bool:
    """Anonymise tickets closed before `before`; True when some are left for another run."""
    for _ in range(TICKET_ROUNDS):
        tickets = session.exec(
            select(Ticket)
            .where(col(Ticket.anonymised_at).is_(None), col(Ticket.closed_at) < before)
            .where(Ticket.status == Status.CLOSED)
            .order_by(col(Ticket.closed_at), col(Ticket.id))
            .limit(TICKET_BATCH)
        ).all()
        for ticket in tickets:
            done.counts.update(
                anonymise_ticket(
                    session,
                    ticket=ticket,
                    storage_dir=storage_dir,
                    reason=RETENTION_REASON,
                    now=now,
                )
            )
        session.flush()
        if len(tickets) < TICKET_BATCH:
            return False
    return True


def _delete_old_attachments(
    session: Session, storage_dir: Path, before: datetime, done: Pass
) -> bool:
    """Delete the files of tickets closed before `before`; True when some are left."""
    for _ in range(ATTACHMENT_ROUNDS):
        ticket_ids = session.exec(
            select(Attachment.ticket_id)
            .join(Ticket, col(Ticket.id) == col(Attachment.ticket_id))
            .where(Ticket.status == Status.CLOSED, col(Ticket.closed_at) < before)
            .order_by(col(Attachment.ticket_id))
            .distinct()
            .limit(ATTACHMENT_BATCH)
        ).all()
        done.counts["attachments"] += delete_attachments(
            session, storage_dir=storage_dir, ticket_ids=list(ticket_ids)
        )
        if len(ticket_ids) < ATTACHMENT_BATCH:
            return False
    return True


def _purge_rows(session: Session, cutoffs: Cutoffs, done: Pass) -> bool:
    """Delete the rows of the plain-purge kinds past their time; True when some are left."""
    targets: list[tuple[str, Any, Any, datetime, tuple[Any, ...]]] = [
        ("audit_events", AuditEvent, AuditEvent.at, cutoffs.audit, ()),
        (
            "contact_submissions",
            ContactSubmission,
            ContactSubmission.created_at,
            cutoffs.contact_submission,
            (),
        ),
        ("rate_limit_hits", RateHit, RateHit.at, cutoffs.rate_limit, ()),
        (
            "mails",
            OutgoingMail,
            OutgoingMail.created_at,
            cutoffs.mail,
            (col(OutgoingMail.sent_at).is_not(None),),
        ),
        (
            "dossier_events",
            DossierEventReceipt,
            DossierEventReceipt.received_at,
            cutoffs.dossier_event,
            (),
        ),
        (
            "data_requests",
            DataRequest,
            DataRequest.answered_at,
            cutoffs.answered_request,
            (col(DataRequest.status) == RequestStatus.ANSWERED,),
        ),
    ]
    more = False
    for name, model, moment, before, extra in targets:
        deleted, left = purge_before(session, model, col(moment) < before, *extra)
        done.counts[name] += deleted
        more = more or left
    return more


def purge_before(session: Session, model: Any, *conditions: Any) -> tuple[int, bool]:
    """Delete a table's rows matching the conditions, oldest ids first, in bounded batches;
    returns how many went and whether some are left."""
    total = 0
    for _ in range(PURGE_ROUNDS):
        oldest = (
            select(model.id).where(*conditions).order_by(model.id).limit(PURGE_BATCH)
        ).scalar_subquery()
        result = session.execute(delete(model).where(model.id.in_(oldest)))
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        total += deleted
        if deleted < PURGE_BATCH:
            return total, False
    return total, True


def record_run(session: Session, *, started_at: datetime, done: Pass) -> RetentionRun:
    """Write the run's row and its audit line (counts only: no personal data)."""
    counts = {name: count for name, count in sorted(done.counts.items()) if count}
    run = RetentionRun(started_at=started_at, finished_at=utcnow(), counts=counts, more=done.more)
    session.add(run)
    session.flush()
    record(
        session,
        AuditKind.RETENTION_RUN,
        Actor(),
        Target(object_kind="retention_run", object_id=str(run.id), detail=counts),
    )
    return run


def run_retention(session: Session, *, settings: Settings) -> RetentionRun:
    """One pass of the policy, recorded (the job's and the command's step)."""
    started_at = utcnow()
    done = apply_retention(session, settings=settings, now=started_at)
    return record_run(session, started_at=started_at, done=done)
