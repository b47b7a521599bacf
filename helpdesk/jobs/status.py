"""The state of the job system, for /readyz and `helpdesk doctor`: outbox, dead letters, broker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.db import utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.jobs.outbox import is_pending
from helpdesk.jobs.runtime import JobRuntime


@dataclass(frozen=True)
class OutboxStatus:
    """What waits in the outbox and for how long."""

    backlog: int  # jobs neither done nor given up
    unsent: int  # of which never handed to the broker
    oldest_unsent_seconds: float | None
    overdue: int  # due for longer than two sweeps: the clock or the broker is not keeping up
    dead_letters: int  # not yet replayed


@dataclass(frozen=True)
class SystemStatus:
    """The checks of /readyz and `helpdesk doctor`."""

    database: bool
    broker: bool
    broker_latency_ms: float | None
    broker_kind: str  # "redis" or "in-process"
    database_kind: str  # "postgresql" or "sqlite"
    outbox: OutboxStatus | None

    @property
    def ready(self) -> bool:
        """Whether the process can serve: the database and the broker answer."""
        return self.database and self.broker


def outbox_status(
    engine: Engine, *, sweep_seconds: int, now: datetime | None = None
) -> OutboxStatus:
    """Count the pending, unsent, overdue rows and the dead letters (indexed queries)."""
    moment = now or utcnow()
    with Session(engine) as session:
        backlog, unsent, oldest = session.exec(
            select(
                func.count(),
                func.count().filter(col(OutboxMessage.sent_at).is_(None)),
                func.min(OutboxMessage.created_at).filter(col(OutboxMessage.sent_at).is_(None)),
            ).where(is_pending())
        ).one()
        overdue = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(is_pending())
            .where(col(OutboxMessage.due_at) < moment - timedelta(seconds=2 * sweep_seconds))
        ).one()
        dead = session.exec(
            select(func.count())
            .select_from(DeadLetter)
            .where(col(DeadLetter.replayed_at).is_(None))
        ).one()
    oldest_age = (moment - _aware(oldest)).total_seconds() if oldest is not None else None
    return OutboxStatus(
        backlog=int(backlog),
        unsent=int(unsent),
        oldest_unsent_seconds=oldest_age,
        overdue=int(overdue),
        dead_letters=int(dead),
    )


def database_ok(engine: Engine) -> bool:
    """Whether a trivial query succeeds."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def system_status(runtime: JobRuntime, *, with_outbox: bool = True) -> SystemStatus:
    """Every check at once; the outbox is counted only when the database answers."""
    database = database_ok(runtime.engine)
    broker_latency = runtime.broker_latency_ms()
    outbox = None
    if database and with_outbox:
        outbox = outbox_status(runtime.engine, sweep_seconds=runtime.settings.outbox_sweep_seconds)
    return SystemStatus(
        database=database,
        broker=broker_latency is not None,
        broker_latency_ms=broker_latency,
        broker_kind="redis" if runtime.redis_url else "in-process",
        database_kind=runtime.engine.dialect.name,
        outbox=outbox,
    )


def _aware(value: datetime) -> datetime:
    """A timestamp read back by an aggregate may come without its zone: it is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
