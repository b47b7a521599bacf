"""Periodic housekeeping: expired sessions, old sign-in failures and finished jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from helpdesk.auth.models import AgentSession, SignInFailure
from helpdesk.db import utcnow
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.jobs.registry import JobContext, job

PURGE_BATCH = 5_000
PURGE_ROUNDS = 20  # at most 100,000 rows a run: the job stays short


@job("maintenance.purge_expired", max_retries=2)
def purge_expired(ctx: JobContext) -> None:
    """Delete sign-in failures past their window, sessions past their absolute limit, and
    finished jobs older than the outbox keeps them."""
    now = utcnow()
    failures_before = now - timedelta(seconds=ctx.settings.login_window_seconds * 4)
    sessions_before = now - timedelta(hours=ctx.settings.session_absolute_hours + 24)
    ctx.session.execute(delete(SignInFailure).where(col(SignInFailure.at) < failures_before))
    ctx.session.execute(delete(AgentSession).where(col(AgentSession.created_at) < sessions_before))
    purge_finished_jobs(ctx.session, before=now - timedelta(days=ctx.settings.outbox_keep_days))


def purge_finished_jobs(
    session: Session, *, before: datetime, batch: int = PURGE_BATCH, rounds: int = PURGE_ROUNDS
) -> int:
    """Delete outbox rows whose job finished before `before`, oldest first, in bounded
    batches (a dead letter keeps its row); returns how many went.

    Every job leaves a row; without this the table grows by a few rows per ticket forever.
    """
    referenced = select(DeadLetter.id).where(col(DeadLetter.outbox_id) == OutboxMessage.id)
    total = 0
    for _ in range(rounds):
        ids = select(OutboxMessage.id).where(
            col(OutboxMessage.done_at) < before, ~referenced.exists()
        )
        oldest = ids.order_by(col(OutboxMessage.id)).limit(batch).scalar_subquery()
        result = session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(oldest)))
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        total += deleted
        if deleted < batch:
            break
    return total
