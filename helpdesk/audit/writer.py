"""Audit rows written beside the requests, in one background thread, never inside them.

Reads (a ticket page, a download, an export) and refusals must not write in the request's
transaction: a GET reads without taking SQLite's write lock, and a refused request rolls back.
Their rows go through this writer: each in a short transaction of its own, after the request's
own transaction (a write waiting for it never blocks it, unlike a write from the same thread).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Actor, Target, record
from helpdesk.db import session_scope

log = structlog.get_logger(__name__)

Work = Callable[[Session], None]


class AuditWriter:
    """Writes audit rows (or a small unit of work and its row) out of the request's way."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: queue.Queue[Work | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def record(self, kind: AuditKind, actor: Actor, target: Target | None = None) -> None:
        """Queue one audit row (returns at once)."""
        self.run(lambda session: record(session, kind, actor, target))

    def run(self, work: Work) -> None:
        """Queue a unit of work that writes its rows in a transaction of its own."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="audit-writer", daemon=True)
                self._thread.start()
        self._queue.put(work)

    def wait(self) -> None:
        """Wait until every row queued so far is written (tests, shutdown)."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=10)

    def _loop(self) -> None:
        """Write each queued unit in its own transaction until told to stop."""
        while True:
            work = self._queue.get()
            try:
                if work is None:
                    return
                self._write(work)
            finally:
                self._queue.task_done()

    def _write(self, work: Work) -> None:
        """One short transaction; a failure is logged, never raised (the page was served)."""
        try:
            with session_scope(self.engine) as session:
                work(session)
        except Exception:
            log.exception("audit.write_failed")
