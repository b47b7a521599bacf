"""Queueing e-mails in the caller's transaction."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from helpdesk.jobs.registry import enqueue_job
from helpdesk.notifications.models import OutgoingMail

MESSAGE_ID_DOMAIN = "anef-helpdesk.local"
SEND_MAIL_JOB = "notifications.send_mail"
# The same sending under another name, for the e-mails telling administrators that jobs
# failed: a failure of one of these must not be announced by another such e-mail.
ALERT_MAIL_JOB = "notifications.send_alert_mail"
MAIL_JOBS = frozenset({SEND_MAIL_JOB, ALERT_MAIL_JOB})


def queue_mail(
    session: Session,
    *,
    recipient: str,
    subject: str,
    body: str,
    ticket_id: int | None = None,
    job_name: str = SEND_MAIL_JOB,
) -> OutgoingMail:
    """Record an e-mail and its sending job; both commit with the caller's change.

    `job_name` is SEND_MAIL_JOB, or ALERT_MAIL_JOB for an alert about failed jobs.
    """
    if job_name not in MAIL_JOBS:
        raise ValueError(f"{job_name!r} does not send e-mails")
    mail = OutgoingMail(
        recipient=recipient,
        subject=subject,
        body_text=body,
        ticket_id=ticket_id,
        message_id=new_message_id(),  # fixed before the INSERT: no UPDATE after it
    )
    session.add(mail)
    session.flush()  # the job needs the mail's id
    enqueue_job(session, job_name, mail_id=mail.id)
    return mail


def new_message_id() -> str:
    """A mail's Message-ID, fixed once: 128 random bits (not guessable, unique across
    databases)."""
    return f"<mail.{secrets.token_hex(16)}@{MESSAGE_ID_DOMAIN}>"
