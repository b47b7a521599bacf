"""Sends per client in a sliding window: in Redis when configured (shared), else in the database."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, insert, literal
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dossiers.breaker import CircuitBreaker, CircuitOpenError
from helpdesk.config import Settings
from helpdesk.db import UTCDateTime, session_scope, utcnow
from helpdesk.intake.models import RateHit
from helpdesk.jobs.runtime import redis_client

log = structlog.get_logger(__name__)
# The limiter runs in the request: a hung Redis may cost it this long once, after which
# the database counts alone for a while (the breaker) instead of every send waiting again.
REDIS_TIMEOUT_S = 0.25
REDIS_PAUSE_S = 30.0
# Hits older than the window are deleted at most this often (each count skips them anyway).
PURGE_INTERVAL_S = 60.0


class RateLimiter:
    """Counts sends per client; `hit` answers the seconds to wait when over the limit."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.limit = settings.intake_rate_limit
        self.window = settings.intake_rate_window_seconds
        self.secret = settings.secret.encode()
        self.engine = engine
        self.prefix = f"{settings.redis_namespace}:intake:rate:"
        self.redis = (
            redis_client(settings.redis_url, timeout=REDIS_TIMEOUT_S, retries=0)
            if settings.redis_url
            else None
        )
        self.breaker = CircuitBreaker(failure_threshold=1, reset_seconds=REDIS_PAUSE_S)
        self._purged_at: float | None = None

    def client_key(self, address: str) -> str:
        """A keyed hash of the client address (addresses are not stored as such)."""
        return hmac.new(self.secret, address.encode(), hashlib.sha256).hexdigest()

    def hit(self, address: str) -> int | None:
        """Count one send; None when allowed, else the seconds before the next is allowed."""
        key = self.client_key(address)
        if self.redis is not None:
            try:
                self.breaker.before_call()
            except CircuitOpenError:
                return self._hit_database(key)
            try:
                wait = self._hit_redis(key)
            except Exception as error:  # any failure ends the breaker's trial
                self.breaker.record_failure()
                log.warning("intake.rate_limit_redis_down", error=type(error).__name__)
            else:
                self.breaker.record_success()
                return wait
        return self._hit_database(key)

    def _hit_redis(self, key: str) -> int | None:
        """Sliding window in a sorted set: add, count, and take the send back if over."""
        assert self.redis is not None
        now = time.time()
        name, member = self.prefix + key, uuid.uuid4().hex
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(name, 0, now - self.window)
        pipe.zadd(name, {member: now})
        pipe.zcard(name)
        pipe.expire(name, self.window)
        count = pipe.execute()[2]
        if count <= self.limit:
            return None
        self.redis.zrem(name, member)
        oldest = self.redis.zrange(name, 0, 0, withscores=True)
        first = float(oldest[0][1]) if oldest else now
        return max(1, int(first + self.window - now) + 1)

    def _hit_database(self, key: str) -> int | None:
        """The same window in a table, in a transaction of its own: one statement when allowed
        (the hit is written only if the client's recent hits are under the limit)."""
        now = utcnow()
        since = now - timedelta(seconds=self.window)
        recent = (
            select(func.count())
            .where(RateHit.client_key == key, col(RateHit.at) >= since)
            .scalar_subquery()
        )
        allowed = select(
            literal(key).label("client_key"), literal(now, UTCDateTime()).label("at")
        ).where(recent < self.limit)
        with session_scope(self.engine) as session:
            self._purge(session, since)
            written = session.execute(
                insert(RateHit).from_select(["client_key", "at"], allowed)
            ).rowcount  # type: ignore[attr-defined]
            if written:
                return None
            first = session.exec(
                select(func.min(RateHit.at)).where(
                    RateHit.client_key == key, col(RateHit.at) >= since
                )
            ).one()
        wait = ((first or now) + timedelta(seconds=self.window) - now).total_seconds()
        return max(1, int(wait) + 1)

    def _purge(self, session: Session, since: datetime) -> None:
        """Delete the hits older than the window, at most every PURGE_INTERVAL_S."""
        clock = time.monotonic()
        if self._purged_at is not None and clock - self._purged_at < PURGE_INTERVAL_S:
            return
        self._purged_at = clock
        session.exec(delete(RateHit).where(col(RateHit.at) < since))

    def close(self) -> None:
        """Release the Redis connections."""
        if self.redis is not None:
            self.redis.close()
