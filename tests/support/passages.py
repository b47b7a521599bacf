"""A check every test runs under: no commit leaves a ticket in a queue it has no passage for.

After each flush the check notes the tickets created or moved (Ticket.queue_id changed);
before each commit it flushes and asks the database whether each of them has the passage
(ticket, current queue) that helpdesk.policy reads. A code path that sets Ticket.queue_id
without going through helpdesk.tickets.lifecycle.place_in_queue fails the test that runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import and_, event, exists
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlmodel import col, select

from helpdesk.tickets.models import Ticket, TicketQueuePassage

MOVED = "passage_check_moved"


class MissingPassageError(AssertionError):
    """A ticket was committed in a queue without its passage."""


def _note_moves(session: Session, flush_context: Any) -> None:
    """Remember the tickets this flush created or moved to another queue."""
    moved = session.info.setdefault(MOVED, set())
    for instance in session.new:
        if isinstance(instance, Ticket):
            moved.add(instance.id)
    for instance in session.dirty:
        if isinstance(instance, Ticket) and sa_inspect(instance).attrs.queue_id.history.added:
            moved.add(instance.id)


def _check_before_commit(session: Session) -> None:
    """Refuse the commit when a created or moved ticket has no passage for its queue."""
    if session.info.get(MOVED) is None and not session.new and not session.dirty:
        return
    session.flush()
    moved = session.info.pop(MOVED, set())
    if not moved:
        return
    has_passage = exists().where(
        and_(
            col(TicketQueuePassage.ticket_id) == col(Ticket.id),
            col(TicketQueuePassage.queue_id) == col(Ticket.queue_id),
        )
    )
    missing = session.execute(
        select(Ticket.id, Ticket.queue_id).where(col(Ticket.id).in_(moved), ~has_passage)
    ).all()
    if missing:
        raise MissingPassageError(
            f"tickets committed in a queue without its passage (ticket, queue): {missing}; "
            "move tickets with helpdesk.tickets.lifecycle.place_in_queue"
        )


def _forget(session: Session, *args: Any) -> None:
    """A rolled back transaction takes its moves with it."""
    session.info.pop(MOVED, None)


@contextmanager
def passages_checked() -> Iterator[None]:
    """Check, for every session, that committed tickets have the passage of their queue."""
    event.listen(Session, "after_flush", _note_moves)
    event.listen(Session, "before_commit", _check_before_commit)
    event.listen(Session, "after_rollback", _forget)
    try:
        yield
    finally:
        event.remove(Session, "after_rollback", _forget)
        event.remove(Session, "before_commit", _check_before_commit)
        event.remove(Session, "after_flush", _note_moves)
