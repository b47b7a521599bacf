"""The ticket page's conversation and history as people read them: labels, files, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from helpdesk.tickets.events import HANDOVER_KINDS, EventKind, event_label
from helpdesk.tickets.handover import ANSWER_KEY
from helpdesk.tickets.labels import MESSAGE_LABELS, history_value, of_queue
from helpdesk.tickets.models import Attachment, Message, Queue, Ticket, TicketEvent
from helpdesk.tickets.previews import preview_kind

# Notes written before the RETURN line named its answer: matched by author and time.
ANSWER_MATCH_WINDOW = timedelta(seconds=5)


@dataclass(frozen=True)
class ShownFile:
    """An attachment and how the page shows it ("image", "pdf" or "" for a download)."""

    attachment: Attachment
    preview: str


@dataclass
class Entry:
    """One message of the conversation with its label, its files and, for an answer from a
    higher level, the question it answers."""

    message: Message
    label: str
    files: list[ShownFile] = field(default_factory=list)
    question: str = ""
    is_answer: bool = False


@dataclass(frozen=True)
class HistoryRow:
    """One history line in words."""

    label: str
    at: datetime
    actor: str
    change: str
    reason: str
    checked: str
    question: str


@dataclass(frozen=True)
class ReceivedAnswer:
    """The answer the last RETURN brought into the ticket's current queue."""

    body: str
    label: str


def queues_by_code(session: Session) -> dict[str, Queue]:
    """Every queue by its code (a handful of rows)."""
    return {queue.code: queue for queue in session.exec(select(Queue)).all()}


def entries(
    messages: list[Message],
    files: list[Attachment],
    events: list[TicketEvent],
    queues: dict[str, Queue],
) -> list[Entry]:
    """The conversation: each message labelled, with the files that came with it."""
    shown = [Entry(message=m, label=MESSAGE_LABELS.get(m.kind, "Message")) for m in messages]
    by_id = {entry.message.id: entry for entry in shown}
    for message_id, (label, question) in _answers(messages, events, queues).items():
        if message_id in by_id:
            by_id[message_id].label, by_id[message_id].question = label, question
            by_id[message_id].is_answer = True
    for attachment in files:
        owner = by_id.get(attachment.message_id) or (shown[0] if shown else None)
        if owner is not None:
            owner.files.append(ShownFile(attachment, preview_kind(attachment.content_type)))
    return shown


def _answers(
    messages: list[Message], events: list[TicketEvent], queues: dict[str, Queue]
) -> dict[int, tuple[str, str]]:
    """The notes that carry an answer returned down the chain: label and question answered."""
    found: dict[int, tuple[str, str]] = {}
    question = ""
    for event in events:
        if event.kind == EventKind.ESCALATE:
            question = str(event.data.get("question", ""))
        if event.kind != EventKind.RETURN:
            continue
        message_id = _answer_message_id(event, messages)
        source = queues.get(event.from_value or "")
        if message_id is not None and source is not None:
            found[message_id] = (f"Réponse {of_queue(source)}", question)
    return found


def _answer_message_id(event: TicketEvent, messages: list[Message]) -> int | None:
    """The note holding a RETURN's answer (named by the line, else found by author and time)."""
    named = event.data.get(ANSWER_KEY)
    if isinstance(named, int):
        return named
    for message in messages:
        if (
            message.author_id == event.actor_id
            and message.kind == "internal_note"
            and abs(message.created_at - event.at) <= ANSWER_MATCH_WINDOW
        ):
            return message.id
    return None


def received_answer(
    ticket: Ticket, shown: list[Entry], events: list[TicketEvent], queues: dict[str, Queue]
) -> ReceivedAnswer | None:
    """The answer of the last hand-over when it was a RETURN into the current queue."""
    moves = [e for e in events if e.kind in HANDOVER_KINDS]
    if not moves or moves[-1].kind != EventKind.RETURN:
        return None
    current = queues.get(moves[-1].to_value or "")
    if current is None or current.id != ticket.queue_id:
        return None
    answers = [entry for entry in shown if entry.is_answer]
    if not answers:
        return None
    return ReceivedAnswer(body=answers[-1].message.body, label=answers[-1].label)


def history_rows(events: list[TicketEvent], queues: dict[str, Queue]) -> list[HistoryRow]:
    """The history, values in words (queue names, status and priority labels, procedures)."""
    rows = []
    for event in events:
        before = history_value(event.kind, event.from_value, event.data, queues)
        after = history_value(event.kind, event.to_value, event.data, queues)
        change = f"{before or '—'} → {after or '—'}" if (before or after) else ""
        rows.append(
            HistoryRow(
                label=event_label(event.kind),
                at=event.at,
                actor=event.actor_label,
                change=change,
                reason=event.reason or "",
                checked=str(event.data.get("checked", "")),
                question=str(event.data.get("question", "")),
            )
        )
    return rows
