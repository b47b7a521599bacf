"""The home page's counts of tickets in progress per queue, cached for a few seconds.

Every agent's home shows these counts and refreshes them; they change only when a ticket
arrives, moves or ends. Each process keeps them COUNTS_TTL_SECONDS per database and set of
queues, and forgets them as soon as one of its own transactions that changed a ticket
commits: an agent sees their own action at once, and another process's within the TTL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from helpdesk.tickets.models import Queue, Ticket
from helpdesk.tickets.queries import open_counts

COUNTS_TTL_SECONDS = 5.0
CountsKey = tuple[str, tuple[int, ...]]
_counts: TTLCache[CountsKey, dict[int, int]] = TTLCache(maxsize=1024, ttl=COUNTS_TTL_SECONDS)
_lock = threading.Lock()
# The work views' and saved views' counts of one agent: (database, agent id) -> counts.
AgentKey = tuple[str, int]
_agent_counts: TTLCache[AgentKey, dict[str, int]] = TTLCache(maxsize=4096, ttl=COUNTS_TTL_SECONDS)


def cached_open_counts(session: Session, queues: list[Queue]) -> dict[int, int]:
    """How many active tickets each queue holds, at most a few seconds old."""
    key = (_database_of(session), tuple(sorted(q.id for q in queues if q.id is not None)))
    with _lock:
        counts = _counts.get(key)
    if counts is None:
        counts = open_counts(session, queues)
        with _lock:
            _counts[key] = counts
    return dict(counts)


def cached_agent_counts(
    session: Session, agent_id: int, compute: Callable[[], dict[str, int]]
) -> dict[str, int]:
    """One agent's view counts (the menu shows them on every page), a few seconds old."""
    key = (_database_of(session), agent_id)
    with _lock:
        counts = _agent_counts.get(key)
    if counts is None:
        counts = compute()
        with _lock:
            _agent_counts[key] = counts
    return dict(counts)


def forget_counts() -> None:
    """Drop every cached count (a ticket changed here, or a test emptied the database)."""
    with _lock:
        _counts.clear()
        _agent_counts.clear()


def _database_of(session: Session) -> str:
    """The database a session talks to (processes may serve several in tests)."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


@event.listens_for(OrmSession, "after_flush")
def _note_ticket_changes(session: OrmSession, _context: Any) -> None:
    """Remember that this transaction wrote a ticket."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, Ticket) for instance in changed):
        session.info["tickets_changed"] = True


@event.listens_for(OrmSession, "after_commit")
def _forget_after_ticket_commit(session: OrmSession) -> None:
    """A committed ticket change makes this process's counts stale."""
    if session.info.pop("tickets_changed", False):
        forget_counts()


@event.listens_for(OrmSession, "after_rollback")
def _drop_note_on_rollback(session: OrmSession) -> None:
    """A rolled-back change changed nothing."""
    session.info.pop("tickets_changed", None)
