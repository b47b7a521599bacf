"""Attachments shown inside the ticket page: images and PDFs only, sandboxed, never cached."""

from __future__ import annotations

from pathlib import Path

from litestar.response import File
from sqlmodel import Session

from helpdesk.errors import NotFoundError
from helpdesk.tickets.attachments import attachment_path
from helpdesk.tickets.models import Attachment, Ticket

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Never SVG or HTML: they can carry scripts. A PDF opens in an <iframe sandbox>.
PREVIEW_TYPES = IMAGE_TYPES | {"application/pdf"}
# `sandbox` without any allowance: no script, no form, an opaque origin. The ticket page may
# frame it (frame-ancestors overrides the X-Frame-Options sent with every response).
PREVIEW_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "sandbox; frame-ancestors 'self'",
}


def preview_kind(content_type: str) -> str:
    """ "image", "pdf", or "" when the file is only offered as a download."""
    if content_type in IMAGE_TYPES:
        return "image"
    return "pdf" if content_type == "application/pdf" else ""


def previewable(session: Session, *, ticket: Ticket, attachment_id: int) -> Attachment:
    """The ticket's attachment if it may be shown inline; otherwise a 404."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.ticket_id != ticket.id:
        raise NotFoundError("Cette pièce jointe n'existe pas.")
    if attachment.content_type not in PREVIEW_TYPES:
        raise NotFoundError("Ce type de fichier ne s'affiche pas dans la page : téléchargez-le.")
    return attachment


def inline_file(storage_dir: Path, attachment: Attachment) -> File:
    """The file with its own (checked) type, displayed inline under its harmless name."""
    return File(
        path=attachment_path(storage_dir, attachment),
        filename=attachment.display_name,
        media_type=attachment.content_type,
        content_disposition_type="inline",
        headers=dict(PREVIEW_HEADERS),
    )
