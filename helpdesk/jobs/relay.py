"""The post-commit relay: hands committed outbox rows to the broker from a background thread.

A request that committed must never wait for the broker (a hung Redis would hold it for
its socket timeout): it only puts the row ids on this relay's queue. Ids still queued when
the process dies are not lost: their rows are in the database and the sweep sends them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)
STOP = object()


class Relay:
    """One daemon thread that dispatches the id lists it is given, in order."""

    def __init__(self, dispatch: Callable[[list[int]], int]) -> None:
        self._dispatch = dispatch
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(self, ids: list[int]) -> None:
        """Relay these rows soon; returns at once."""
        self._ensure_thread()
        self._queue.put(list(ids))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted id list was dispatched; False on timeout."""
        done = threading.Event()
        with self._lock:
            if self._thread is None:
                return True
        self._queue.put(done)
        return done.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread; what is still queued is left to the sweep (the rows are due)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._queue.put(STOP)
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        """Start the thread on first use."""
        with self._lock:
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        """Take id lists off the queue until told to stop; what waits together leaves together
        (one transaction for a burst of commits, fewer writes on SQLite)."""
        while True:
            batch, signals, stop = self._take_burst()
            if batch:
                try:
                    self._dispatch(batch)
                except Exception:  # the rows stay due: the sweep sends them
                    log.exception("outbox.relay_failed", outbox_ids=batch)
            for signal in signals:
                signal.set()
            if stop:
                return

    def _take_burst(self) -> tuple[list[int], list[threading.Event], bool]:
        """Wait for one item, then take whatever else is queued: (ids, waiters, stop)."""
        items = [self._queue.get()]
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        ids: list[int] = []
        signals: list[threading.Event] = []
        stop = self._stopping.is_set()
        for item in items:
            if item is STOP:
                stop = True
            elif isinstance(item, threading.Event):
                signals.append(item)
            elif isinstance(item, list):
                ids.extend(item)
        if stop:
            ids = []  # left to the sweep
        return ids, signals, stop
