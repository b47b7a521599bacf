"""The answer to a right-of-access request: everything held about a requester, as a ZIP.

`collect` gathers the requester's tickets (every queue), their messages, files, history and
the e-mails sent to them; `write_zip` writes `summary.html` (readable, made by the caller
from a template), `data.json` (the same data, for machines) and the files under `fichiers/`.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, select

from helpdesk.notifications.models import OutgoingMail
from helpdesk.privacy.models import DataRequest
from helpdesk.privacy.requests import requester_tickets
from helpdesk.tickets.events import event_label
from helpdesk.tickets.models import STATUS_LABELS, Attachment, Message, Queue, Status, TicketEvent

CHUNK = 64 * 1024
MESSAGE_KINDS = {
    "requester": "Message du demandeur",
    "public_reply": "Réponse du centre de contact",
    "internal_note": "Note interne",
    "call_note": "Note d'appel",
}


@dataclass
class ExportedFile:
    """A file of the export: where it is stored and its name inside the ZIP."""

    storage_key: str
    archive_name: str
    display_name: str
    size: int


@dataclass
class Export:
    """What the helpdesk holds about one requester."""

    request_id: int
    generated_at: str
    requester: dict[str, Any]
    tickets: list[dict[str, Any]] = field(default_factory=list)
    files: list[ExportedFile] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The data.json document."""
        return {
            "demande": self.request_id,
            "genere_le": self.generated_at,
            "demandeur": self.requester,
            "tickets": self.tickets,
        }


def collect(session: Session, request: DataRequest, *, now: datetime) -> Export:
    """Everything held about the request's requester (call after the PROTECT_DATA check)."""
    export = Export(
        request_id=request.id or 0,
        generated_at=now.isoformat(timespec="seconds"),
        requester={
            "email": request.requester_email,
            "numero_etranger": request.requester_foreign_number,
        },
    )
    queues = {queue.id: queue.name for queue in session.exec(select(Queue))}
    for ticket in requester_tickets(session, request):
        ticket_id = ticket.id or 0
        files = _files(session, ticket_id, ticket.reference)
        export.files += files
        export.tickets.append(
            {
                "reference": ticket.reference,
                "cree_le": _when(ticket.created_at),
                "clos_le": _when(ticket.closed_at),
                "statut": STATUS_LABELS.get(Status(ticket.status), ticket.status),
                "canal": ticket.channel,
                "demarche": ticket.procedure,
                "file": queues.get(ticket.queue_id, ""),
                "objet": ticket.subject,
                "nom": ticket.requester_name,
                "email": ticket.requester_email,
                "telephone": ticket.requester_phone,
                "numero_etranger": ticket.requester_foreign_number,
                "numero_de_dossier": ticket.dossier_number,
                "anonymise_le": _when(ticket.anonymised_at),
                "messages": _messages(session, ticket_id),
                "pieces_jointes": [
                    {"nom": f.display_name, "taille": f.size, "fichier": f.archive_name}
                    for f in files
                ],
                "historique": _events(session, ticket_id),
                "courriels": _mails(session, ticket_id),
            }
        )
    return export


def _when(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 text (UTC)."""
    return moment.isoformat(timespec="seconds") if moment else None


def _messages(session: Session, ticket_id: int) -> list[dict[str, Any]]:
    """The conversation of a ticket."""
    rows = session.exec(
        select(Message).where(Message.ticket_id == ticket_id).order_by(col(Message.id))
    ).all()
    return [
        {
            "le": _when(m.created_at),
            "type": MESSAGE_KINDS.get(m.kind, m.kind),
            "auteur": m.author_label,
            "texte": m.body,
        }
        for m in rows
    ]


def _events(session: Session, ticket_id: int) -> list[dict[str, Any]]:
    """The history of a ticket."""
    rows = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(col(TicketEvent.id))
    ).all()
    return [
        {
            "le": _when(e.at),
            "evenement": event_label(e.kind),
            "par": e.actor_label,
            "de": e.from_value,
            "vers": e.to_value,
            "motif": e.reason,
        }
        for e in rows
    ]


def _mails(session: Session, ticket_id: int) -> list[dict[str, Any]]:
    """The e-mails sent about a ticket."""
    rows = session.exec(
        select(OutgoingMail)
        .where(OutgoingMail.ticket_id == ticket_id)
        .order_by(col(OutgoingMail.id))
    ).all()
    return [
        {
            "envoye_le": _when(m.sent_at),
            "destinataire": m.recipient,
            "objet": m.subject,
            "texte": m.body_text,
        }
        for m in rows
    ]


def _files(session: Session, ticket_id: int, reference: str) -> list[ExportedFile]:
    """The files of a ticket and their names inside the ZIP."""
    rows = session.exec(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(col(Attachment.id))
    ).all()
    return [
        ExportedFile(
            storage_key=a.storage_key,
            archive_name=f"fichiers/{reference}/{a.id}-{a.display_name}",
            display_name=a.display_name,
            size=a.size,
        )
        for a in rows
    ]


def write_zip(export: Export, *, summary_html: str, storage_dir: Path) -> IO[bytes]:
    """The ZIP in a temporary file (deleted once closed), positioned at its start.

    A file whose bytes are gone from the storage is listed in the summary, not in the ZIP."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the caller streams then closes it)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.html", summary_html)
        archive.writestr("data.json", json.dumps(export.as_json(), ensure_ascii=False, indent=2))
        for exported in export.files:
            path = stored_path(storage_dir, exported.storage_key)
            if path is not None:
                archive.write(path, exported.archive_name)
    handle.seek(0)
    return handle


def stored_path(storage_dir: Path, storage_key: str) -> Path | None:
    """The bytes of a stored file, or None when they are gone or the key is not ours."""
    if len(storage_key) < 3 or not storage_key.isalnum():
        return None
    path = Path(storage_dir) / storage_key[:2] / storage_key
    return path if path.is_file() else None


def chunks(handle: IO[bytes]) -> Iterator[bytes]:
    """Read a file in chunks for a streamed answer, then close (and so delete) it."""
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()
