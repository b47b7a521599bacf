"""Attachment files: bytes on disk under generated names, metadata in the database."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from sqlmodel import Session

from helpdesk.db import require_id
from helpdesk.errors import NotFoundError
from helpdesk.tickets.models import Attachment, Ticket
from knowledge_base.text import unaccent

SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def display_name(filename: str) -> str:
    """A harmless name to show and to offer on download (never used on disk)."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = SAFE_NAME.sub("_", unaccent(base)).strip(" .") or "piece-jointe"
    return cleaned[:120]


def store_attachment(
    session: Session,
    *,
    storage_dir: Path,
    ticket: Ticket,
    filename: str,
    content_type: str,
    data: bytes,
    message_id: int | None = None,
) -> Attachment:
    """Write the bytes under a random name and record the attachment's metadata."""
    key = secrets.token_hex(20)
    folder = Path(storage_dir) / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(data)
    attachment = Attachment(
        ticket_id=require_id(ticket),
        message_id=message_id,
        display_name=display_name(filename),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
    )
    session.add(attachment)
    session.flush()
    return attachment


class FileLike(Protocol):
    """An accepted upload: its (checked) name and type, and its bytes."""

    @property
    def filename(self) -> str:
        """The name the user gave (only ever shown, never used on disk)."""

    @property
    def content_type(self) -> str:
        """The type found in the content."""

    @property
    def data(self) -> bytes:
        """The bytes to store."""


def store_files(
    session: Session,
    *,
    storage_dir: Path,
    ticket: Ticket,
    message_id: int | None,
    files: Iterable[FileLike],
) -> list[Attachment]:
    """Keep several uploads with the message they came with."""
    return [
        store_attachment(
            session,
            storage_dir=storage_dir,
            ticket=ticket,
            filename=file.filename,
            content_type=file.content_type,
            data=file.data,
            message_id=message_id,
        )
        for file in files
    ]


def attachment_path(storage_dir: Path, attachment: Attachment) -> Path:
    """Where the bytes of an attachment live; refuses keys that are not ours."""
    key = attachment.storage_key
    if not re.fullmatch(r"[0-9a-f]{40}", key):
        raise NotFoundError("Cette pièce jointe n'existe pas.")
    path = Path(storage_dir) / key[:2] / key
    if not path.is_file():
        raise NotFoundError("Cette pièce jointe n'est plus disponible.")
    return path
