"""Removing the person from a ticket while keeping its statistics.

Kept: reference, channel, procedure, category, queues and levels, status, priority, dates,
SLA clocks, classification, tags, counts of messages and events, who of the agents acted.
Removed: the requester's name, e-mail, phone, numéro étranger and dossier number, the subject
and every message body (replaced by a neutral marker), free text of the history, the
référent's details of a signalement, the e-mails sent about the ticket, its follow-up links
and repeat-send fingerprints, and its files (rows and bytes on disk). The search document is
rebuilt from what is left. `anonymised_at` marks the ticket: a second pass does nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from helpdesk.db import require_id, utcnow
from helpdesk.intake.models import ContactSubmission, FollowUpLink
from helpdesk.notifications.models import OutgoingMail
from helpdesk.referents.models import Report
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import record_event, touch
from helpdesk.tickets.models import Attachment, Message, MessageKind, Ticket, TicketEvent
from helpdesk.tickets.search import index_ticket
from helpdesk.tickets.service import REQUESTER_LABEL

MARKER = "[anonymisé]"
# History lines whose from/to values are codes or labels of the chain (queues, statuses,
# priorities, agents, rules, references), never the requester's words: kept as they are.
CODED_KINDS = frozenset(
    {
        EventKind.CREATED,
        EventKind.STATUS_CHANGED,
        EventKind.REOPENED,
        EventKind.ASSIGNED,
        EventKind.ESCALATE,
        EventKind.TRANSFER,
        EventKind.RETURN,
        EventKind.MERGED_INTO,
        EventKind.MERGED_FROM,
        EventKind.LINKED,
        EventKind.DOSSIER_STATUS,
        EventKind.ROUTED,
        EventKind.CLASSIFIED,
        EventKind.PRIORITY_CHANGED,
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
        EventKind.INCIDENT_LINKED,
        EventKind.INCIDENT_RESOLVED,
        EventKind.ANONYMISED,
    }
)
# Corrected fields whose values are codes (the rest, e.g. a contact field, are personal).
CODED_FIELDS = frozenset({"procedure", "category", "priority"})
# Keys of a history line's data that hold no personal data (the rest are dropped).
NEUTRAL_DATA_KEYS = frozenset(
    {
        "field",
        "confidence",
        "rule_id",
        "rule",
        "actions",
        "target",
        "clock_id",
        "due_at",
        "event_id",
        "from_status",
        "to_status",
        "occurred_at",
        "fields",
        "cause",
    }
)


def anonymise_ticket(
    session: Session,
    *,
    ticket: Ticket,
    storage_dir: Path,
    reason: str,
    now: datetime | None = None,
) -> Counter[str]:
    """Remove the requester's personal data from one ticket (nothing if already done);
    returns what it removed, by kind."""
    done: Counter[str] = Counter()
    if ticket.anonymised_at is not None:
        return done
    ticket_id = require_id(ticket)
    done["attachments"] += delete_attachments(
        session, storage_dir=storage_dir, ticket_ids=[ticket_id]
    )
    done["messages"] += _blank_messages(session, ticket_id)
    done["events"] += _blank_events(session, ticket_id)
    done["mails"] += _delete_mails(session, ticket_id)
    done["follow_up_links"] += _delete_rows(session, FollowUpLink, ticket_id)
    done["contact_submissions"] += _delete_rows(session, ContactSubmission, ticket_id)
    done["reports"] += _blank_report(session, ticket_id)
    _blank_requester(ticket)
    ticket.anonymised_at = now or utcnow()
    record_event(session, ticket, None, kind=EventKind.ANONYMISED, reason=reason)
    touch(ticket)
    index_ticket(session, ticket)
    done["tickets"] += 1
    return done


def _blank_requester(ticket: Ticket) -> None:
    """The ticket without its requester: contact fields emptied, subject replaced."""
    ticket.requester_name = ""
    ticket.requester_email = None
    ticket.requester_phone = None
    ticket.requester_foreign_number = None
    ticket.dossier_number = None
    ticket.subject = MARKER


def _blank_messages(session: Session, ticket_id: int) -> int:
    """Every message body replaced by the marker; the requester's name no longer shown."""
    result = session.execute(
        update(Message)
        .where(col(Message.ticket_id) == ticket_id, col(Message.body) != MARKER)
        .values(body=MARKER)
    )
    session.execute(
        update(Message)
        .where(col(Message.ticket_id) == ticket_id, col(Message.kind) == MessageKind.REQUESTER)
        .values(author_label=REQUESTER_LABEL)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _blank_events(session: Session, ticket_id: int) -> int:
    """Free text of the history replaced by the marker; codes, dates and agents kept."""
    changed = 0
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)).all()
    for event in events:
        values = _neutral_event_values(event)
        if any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            changed += 1
    return changed


def _neutral_event_values(event: TicketEvent) -> dict[str, Any]:
    """The reason, values and data a history line keeps once the requester is removed."""
    coded = event.kind in CODED_KINDS or (
        event.kind == EventKind.FIELD_CHANGED and event.data.get("field") in CODED_FIELDS
    )
    return {
        "reason": MARKER if event.reason and event.kind != EventKind.ANONYMISED else event.reason,
        "from_value": event.from_value if coded or not event.from_value else MARKER,
        "to_value": event.to_value if coded or not event.to_value else MARKER,
        "data": {k: v for k, v in event.data.items() if k in NEUTRAL_DATA_KEYS},
    }


def _delete_mails(session: Session, ticket_id: int) -> int:
    """The e-mails sent about the ticket (their address and text) are deleted."""
    result = session.execute(
        delete(OutgoingMail).where(
            col(OutgoingMail.ticket_id) == ticket_id, col(OutgoingMail.sent_at).is_not(None)
        )
    )
    # A mail not sent yet cannot leave any more: its address and text are removed.
    session.execute(
        update(OutgoingMail)
        .where(col(OutgoingMail.ticket_id) == ticket_id, col(OutgoingMail.sent_at).is_(None))
        .values(recipient=MARKER, subject=MARKER, body_text=MARKER)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _delete_rows(session: Session, model: Any, ticket_id: int) -> int:
    """Delete a table's rows of the ticket."""
    result = session.execute(delete(model).where(model.ticket_id == ticket_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _blank_report(session: Session, ticket_id: int) -> int:
    """A signalement keeps its kind, severity and count; its free text goes."""
    result = session.execute(
        update(Report)
        .where(col(Report.ticket_id) == ticket_id)
        .values(steps=MARKER, browser=MARKER)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_attachments(session: Session, *, storage_dir: Path, ticket_ids: list[int]) -> int:
    """Delete the files of these tickets: the bytes on disk first, then their rows.

    A crash between the two leaves rows whose bytes are gone (a download then says the file
    is no longer available), never bytes that nobody would delete: the next run removes them.
    """
    if not ticket_ids:
        return 0
    attachments = session.exec(
        select(Attachment).where(col(Attachment.ticket_id).in_(ticket_ids))
    ).all()
    for attachment in attachments:
        remove_file(storage_dir, attachment.storage_key)
        session.delete(attachment)
    session.flush()
    return len(attachments)


def remove_file(storage_dir: Path, storage_key: str) -> None:
    """Delete the bytes of a stored file (already gone: nothing to do)."""
    if len(storage_key) < 3 or not storage_key.isalnum():
        return  # not one of our generated names: never a path outside the storage
    (Path(storage_dir) / storage_key[:2] / storage_key).unlink(missing_ok=True)
