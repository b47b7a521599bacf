"""A small thread-safe circuit breaker: closed, open after N failures, half-open after a pause.

Half-open lets one trial call go. The caller reports how it ended (record_success or
record_failure); a trial that never reports is taken as abandoned after
`trial_timeout_seconds`, and the next caller may try, so the circuit cannot stay stuck.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

BreakerState = Literal["closed", "open", "half_open"]


class CircuitOpenError(Exception):
    """The circuit is open: the call was not even tried."""


class CircuitBreaker:
    """Stops calling a failing service for `reset_seconds` after `failure_threshold` failures."""

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_seconds: float = 30.0,
        trial_timeout_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.trial_timeout_seconds = trial_timeout_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_started_at: float | None = None

    @property
    def state(self) -> BreakerState:
        """closed, open, or half_open (the pause is over: one trial call may go)."""
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        """The state, the lock being held."""
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_seconds:
            return "half_open"
        return "open"

    @property
    def trial_running(self) -> bool:
        """Whether a half-open trial is under way (started, not reported, not abandoned)."""
        with self._lock:
            return self._trial_under_way()

    def _trial_under_way(self) -> bool:
        """Whether a trial is under way, the lock being held."""
        started = self._trial_started_at
        return started is not None and self._clock() - started < self.trial_timeout_seconds

    def before_call(self) -> None:
        """Raise CircuitOpenError unless a call may go (only one trial at a time when half-open)."""
        with self._lock:
            state = self._state()
            if state == "open" or (state == "half_open" and self._trial_under_way()):
                raise CircuitOpenError("circuit ouvert")
            if state == "half_open":
                self._trial_started_at = self._clock()

    def record_success(self) -> None:
        """A call worked: close the circuit."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_started_at = None

    def record_failure(self) -> None:
        """A call failed: count it, and open (or re-open) the circuit at the threshold."""
        with self._lock:
            self._failures += 1
            if self._trial_started_at is not None or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            self._trial_started_at = None
