"""Queueing e-mails in the caller's transaction."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from helpdesk.jobs.registry import enqueue_job
from helpdesk.notifications.models import OutgoingMail

MESSAGE_ID_DOMAIN = "anef-helpdesk.local"


def queue_mail(
    session: Session, *, recipient: str, subject: str, body: str, ticket_id: int | None = None
) -> OutgoingMail:
    """Record an e-mail and its sending job; both commit with the caller's change."""
    mail = OutgoingMail(recipient=recipient, subject=subject, body_text=body, ticket_id=ticket_id)
    session.add(mail)
    session.flush()
    mail.message_id = message_id_for(mail.id)
    enqueue_job(session, "notifications.send_mail", mail_id=mail.id)
    return mail


def message_id_for(mail_id: int | None) -> str:
    """The mail's Message-ID, fixed once: its id and a random part (not guessable, unique
    across databases)."""
    return f"<mail-{mail_id}.{secrets.token_hex(8)}@{MESSAGE_ID_DOMAIN}>"
