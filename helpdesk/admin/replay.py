"""Replaying dead letters from the failed jobs page, in the request's transaction.

The dead letters are marked replayed and their outbox rows made due again in the caller's
transaction; after its commit the relay hands the rows to the broker, and when the broker
is down the sweep sends them later. Nothing here waits for Redis, and on SQLite nothing
opens a second writer beside the request's.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from helpdesk.admin.dead_letters import matching
from helpdesk.admin.filters import DeadLetterFilters
from helpdesk.jobs import outbox
from helpdesk.jobs.models import DeadLetter


def replay_matching(
    session: Session, *, filters: DeadLetterFilters, up_to_id: int | None = None
) -> int:
    """Replay every dead letter the filters match that is not replayed yet, on every page.

    `up_to_id` is the newest dead letter the person saw: later arrivals are left for them
    to look at first. Rows are taken in batches, so thousands of them replay in one go.
    """
    conditions = [*matching(filters), col(DeadLetter.replayed_at).is_(None)]
    if up_to_id is not None:
        conditions.append(col(DeadLetter.id) <= up_to_id)
    replayed, after = 0, 0
    while True:
        ids = [
            i
            for i in session.exec(
                select(DeadLetter.id)
                .where(*conditions, col(DeadLetter.id) > after)
                .order_by(col(DeadLetter.id))
                .limit(outbox.REPLAY_BATCH)
            ).all()
            if i is not None
        ]
        if not ids:
            return replayed
        replayed += outbox.replay_dead_letters(session, ids)
        session.flush()
        after = ids[-1]
