"""The sessions' activity: `last_seen_at` refreshed beside the requests, never inside them.

Refreshing it in the request's transaction held a lock on the session row (on SQLite, the
whole database) for the request's duration, so a slow page delayed the agent's other pages.
The recorder writes each refresh in a short transaction of its own, in one background thread.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

import structlog
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from helpdesk.auth.models import AgentSession
from helpdesk.db import session_scope, utcnow

log = structlog.get_logger(__name__)


class ActivityRecorder:
    """Refreshes `AgentSession.last_seen_at` out of the request's way; at most one pending
    refresh per session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-activity")
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._last: Future[None] | None = None

    def note(self, session_id: int) -> None:
        """Record that the session was used now (returns at once)."""
        with self._lock:
            if session_id in self._pending:
                return
            self._pending.add(session_id)
            self._last = self._executor.submit(self._touch, session_id, utcnow())

    def wait(self, timeout: float = 5.0) -> None:
        """Wait for the refreshes noted so far (tests, shutdown)."""
        with self._lock:
            last = self._last
        if last is not None:
            last.result(timeout)

    def close(self) -> None:
        """Finish the pending refreshes and stop the thread."""
        self._executor.shutdown(wait=True)

    def _touch(self, session_id: int, at: datetime) -> None:
        """One short transaction: move `last_seen_at` forward (never back)."""
        with self._lock:
            self._pending.discard(session_id)
        try:
            with session_scope(self.engine) as session:
                session.execute(
                    update(AgentSession)
                    .where(col(AgentSession.id) == session_id, col(AgentSession.last_seen_at) < at)
                    .values(last_seen_at=at)
                )
        except Exception:  # a missed refresh only shortens the idle timer
            log.exception("auth.session_touch_failed")
