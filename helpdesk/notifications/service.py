"""Queueing e-mails in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.jobs.registry import enqueue_job
from helpdesk.notifications.models import OutgoingMail


def queue_mail(
    session: Session, *, recipient: str, subject: str, body: str, ticket_id: int | None = None
) -> OutgoingMail:
    """Record an e-mail and its sending job; both commit with the caller's change."""
    mail = OutgoingMail(recipient=recipient, subject=subject, body_text=body, ticket_id=ticket_id)
    session.add(mail)
    session.flush()
    enqueue_job(session, "notifications.send_mail", mail_id=mail.id)
    return mail
