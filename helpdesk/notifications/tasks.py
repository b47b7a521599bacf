"""Jobs of the notifications area."""

from __future__ import annotations

import structlog

from helpdesk.db import utcnow
from helpdesk.jobs.registry import JobContext, job
from helpdesk.notifications.mailer import InvalidRecipientError, build_message, deliver
from helpdesk.notifications.models import OutgoingMail
from helpdesk.notifications.service import ALERT_MAIL_JOB, MESSAGE_ID_DOMAIN, SEND_MAIL_JOB

log = structlog.get_logger(__name__)


@job(
    SEND_MAIL_JOB,
    max_retries=10,
    min_backoff_ms=5_000,
    time_limit_ms=60_000,
    throws=(InvalidRecipientError,),
)
def send_mail(ctx: JobContext, *, mail_id: int) -> None:
    """Send one queued e-mail unless it already left."""
    deliver_mail(ctx, mail_id=mail_id)


@job(
    ALERT_MAIL_JOB,
    max_retries=10,
    min_backoff_ms=5_000,
    time_limit_ms=60_000,
    throws=(InvalidRecipientError,),
)
def send_alert_mail(ctx: JobContext, *, mail_id: int) -> None:
    """Send one queued alert about failed jobs (its own failure raises no new alert)."""
    deliver_mail(ctx, mail_id=mail_id)


def deliver_mail(ctx: JobContext, *, mail_id: int) -> None:
    """Deliver a queued e-mail and mark it sent, in the job's transaction; once only."""
    mail = ctx.session.get(OutgoingMail, mail_id, with_for_update=True)
    if mail is None or mail.sent_at is not None:
        return
    if mail.message_id is None:  # queued before Message-IDs were recorded: derived, stable
        mail.message_id = f"<mail-{mail.id}@{MESSAGE_ID_DOMAIN}>"
    message = build_message(
        ctx.settings,
        recipient=mail.recipient,
        subject=mail.subject,
        body=mail.body_text,
        message_id=mail.message_id,
    )
    deliver(ctx.settings, message)
    mail.sent_at = utcnow()
    log.info("mail.sent", mail_id=mail.id, ticket_id=mail.ticket_id)
