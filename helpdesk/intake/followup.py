"""The follow-up page's operations: what the usager may read of a ticket, and answering it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from helpdesk.db import require_id, utcnow
from helpdesk.errors import InvalidTransitionError
from helpdesk.i18n import N_
from helpdesk.intake.uploads import CleanFile
from helpdesk.tickets.attachments import store_files
from helpdesk.tickets.models import Attachment, Message, MessageKind, Status, Ticket
from helpdesk.tickets.queries import PUBLIC_KINDS, public_messages
from helpdesk.tickets.service import add_message

REOPEN_WINDOW = timedelta(days=30)
STATUS_WORDS = {
    Status.NEW: N_("Reçue : un conseiller va prendre connaissance de votre demande."),
    Status.OPEN: N_("En cours de traitement par le centre de contact."),
    Status.WAITING: N_("En attente de votre réponse : merci de compléter votre demande."),
    Status.RESOLVED: N_("Répondue : le centre de contact vous a répondu."),
    Status.CLOSED: N_("Close : cette demande est terminée."),
}
MSG_CLOSED = N_(
    "Cette demande est terminée et ne peut plus recevoir de réponse. "
    "Si vous avez encore besoin d'aide, faites une nouvelle demande."
)


@dataclass(frozen=True)
class PublicMessage:
    """A message as the usager sees it: from them or from the contact centre, never a name."""

    from_requester: bool
    body: str
    created_at: datetime
    attachments: tuple[Attachment, ...]


def status_words(ticket: Ticket) -> str:
    """The status of the ticket in plain words (untranslated message id)."""
    try:
        return STATUS_WORDS[Status(ticket.status)]
    except ValueError:
        return STATUS_WORDS[Status.OPEN]


def may_answer(ticket: Ticket) -> bool:
    """Open tickets take answers; resolved ones for 30 days (it reopens them); closed never."""
    if ticket.status == Status.CLOSED:
        return False
    if ticket.status == Status.RESOLVED:
        resolved = ticket.resolved_at or ticket.updated_at
        return utcnow() - resolved <= REOPEN_WINDOW
    return True


def public_conversation(session: Session, *, ticket: Ticket) -> list[PublicMessage]:
    """The requester's messages and the public replies, oldest first, with their files."""
    return [
        PublicMessage(
            from_requester=m.kind == MessageKind.REQUESTER,
            body=m.body,
            created_at=m.created_at,
            attachments=files,
        )
        for m, files in public_messages(session, ticket)
    ]


def public_attachment(session: Session, *, ticket: Ticket, attachment_id: int) -> Attachment | None:
    """An attachment of a public message of this ticket (never one of an internal note)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.ticket_id != ticket.id or attachment.message_id is None:
        return None
    message = session.get(Message, attachment.message_id)
    if message is None or message.kind not in PUBLIC_KINDS:
        return None
    return attachment


def answer(
    session: Session,
    *,
    ticket: Ticket,
    body: str,
    files: Sequence[CleanFile],
    storage_dir: Path,
) -> Message:
    """Add the usager's answer and files; a resolved ticket reopens, a late one refuses."""
    if not may_answer(ticket):
        raise InvalidTransitionError(MSG_CLOSED)
    message = add_message(
        session, ticket_id=require_id(ticket), kind=MessageKind.REQUESTER, body=body, actor=None
    )
    session.flush()
    store_files(session, storage_dir=storage_dir, ticket=ticket, message_id=message.id, files=files)
    return message
