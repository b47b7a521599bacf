"""Noticing, as they are written, the history lines and messages that may notify agents.

Nobody calls this module: a SQLAlchemy listener sees the TicketEvent and Message rows each
flush inserts and, when one of them may concern an agent, adds their ids to ONE outbox row
of the transaction (the `agent_notifications.derive` job). The row commits with them, so
the job runs after the commit and reads exactly what was committed; a rolled-back change
takes its row with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exists, inspect, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import col

from helpdesk.auth.models import Agent
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import enqueue_job
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Message, MessageKind, TicketEvent

DERIVE_JOB = "agent_notifications.derive"
ROW_KEY = "agent_notifications_row"
NEW_KEY = "agent_notifications_new"
NOTIFYING_EVENTS = frozenset(
    {
        EventKind.CREATED,
        EventKind.ROUTED,
        EventKind.ASSIGNED,
        EventKind.ESCALATE,
        EventKind.TRANSFER,
        EventKind.RETURN,
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
    }
)
NOTIFYING_MESSAGES = frozenset({MessageKind.REQUESTER, MessageKind.INTERNAL_NOTE})


def notifying_rows(rows: list[Any]) -> tuple[list[int], list[int], set[int | None]]:
    """The ids of the new lines and messages that may notify someone, and their actors."""
    events, messages, actors = [], [], set()
    for row in rows:
        if isinstance(row, TicketEvent) and row.kind in NOTIFYING_EVENTS and row.id:
            events.append(row.id)
            actors.add(row.actor_id)
        elif isinstance(row, Message) and row.kind in NOTIFYING_MESSAGES and row.id:
            if row.kind == MessageKind.INTERNAL_NOTE and "@" not in row.body:
                continue
            messages.append(row.id)
            actors.add(row.author_id)
    return events, messages, actors


def anyone_else(session: OrmSession, actors: set[int | None]) -> bool:
    """Whether any active agent besides the actors exists (an empty helpdesk notifies nobody)."""
    others = [actor for actor in actors if actor is not None]
    condition = col(Agent.active) & col(Agent.id).not_in(others)
    with session.no_autoflush:
        return bool(session.execute(select(exists().where(condition))).scalar())


def add_to_job(session: OrmSession, events: list[int], messages: list[int]) -> None:
    """Put these ids in the transaction's derive job, writing it on the first call."""
    row = session.info.get(ROW_KEY)
    if isinstance(row, OutboxMessage) and _still_written(row):
        payload = row.payload
        row.payload = {
            "event_ids": [*payload.get("event_ids", []), *events],
            "message_ids": [*payload.get("message_ids", []), *messages],
        }
        return
    enqueue_job(session, DERIVE_JOB, event_ids=events, message_ids=messages)  # type: ignore[arg-type]
    session.info[ROW_KEY] = session.info["outbox_rows"][-1]


@event.listens_for(OrmSession, "before_flush")
def _remember_new(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Note the lines and messages this flush is about to insert."""
    session.info[NEW_KEY] = [row for row in session.new if isinstance(row, (TicketEvent, Message))]


@event.listens_for(OrmSession, "after_flush_postexec")
def _collect(session: OrmSession, _context: Any) -> None:
    """After the flush, hand the new notifying rows (now with ids) to the derive job."""
    events, messages, actors = notifying_rows(session.info.pop(NEW_KEY, []))
    if (events or messages) and anyone_else(session, actors):
        add_to_job(session, events, messages)


def _still_written(row: OutboxMessage) -> bool:
    """Whether the row is still part of the transaction (a rolled-back savepoint drops it)."""
    state = inspect(row)
    return bool(state.pending or state.persistent)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: Any) -> None:
    """A finished transaction leaves no row to extend: the next one writes its own."""
    if transaction.parent is not None:
        return  # a savepoint: the transaction goes on
    session.info.pop(ROW_KEY, None)
    session.info.pop(NEW_KEY, None)
