"""Sends per client in a sliding window: in Redis when configured (shared), else in the database."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import timedelta

import structlog
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dossiers.breaker import CircuitBreaker, CircuitOpenError
from helpdesk.config import Settings
from helpdesk.db import session_scope, utcnow
from helpdesk.intake.models import RateHit
from helpdesk.jobs.runtime import redis_client

log = structlog.get_logger(__name__)
# The limiter runs in the request: a hung Redis may cost it this long once, after which
# the database counts alone for a while (the breaker) instead of every send waiting again.
REDIS_TIMEOUT_S = 0.25
REDIS_PAUSE_S = 30.0


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
        """The same window in a table, in a transaction of its own."""
        now = utcnow()
        since = now - timedelta(seconds=self.window)
        with session_scope(self.engine) as session:
            session.exec(delete(RateHit).where(col(RateHit.at) < since))
            count, first = session.exec(
                select(func.count(), func.min(RateHit.at)).where(RateHit.client_key == key)
            ).one()
            if count >= self.limit:
                wait = (first + timedelta(seconds=self.window) - now).total_seconds()
                return max(1, int(wait) + 1)
            session.add(RateHit(client_key=key, at=now))
        return None

    def close(self) -> None:
        """Release the Redis connections."""
        if self.redis is not None:
            self.redis.close()
