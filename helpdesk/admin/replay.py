"""Replaying dead letters from the failed jobs page, in the request's transaction.

The dead letters are marked replayed and their outbox rows made due again in the caller's
transaction; after its commit the relay hands the rows to the broker, and when the broker
is down the sweep sends them later. Nothing here waits for Redis, and on SQLite nothing
opens a second writer beside the request's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from helpdesk.admin.dead_letters import matching
from helpdesk.admin.filters import DeadLetterFilters
from helpdesk.db import utcnow
from helpdesk.jobs import outbox
from helpdesk.jobs.models import DeadLetter
from helpdesk.jobs.registry import relay_after_commit

REPLAY_BATCH = 500


def replay(session: Session, *, dead_letter_ids: Sequence[int]) -> int:
    """Send these dead letters' jobs again after commit; returns how many were not replayed yet."""
    replayed = 0
    unique = list(dict.fromkeys(dead_letter_ids))
    for start in range(0, len(unique), REPLAY_BATCH):
        batch = unique[start : start + REPLAY_BATCH]
        outbox_ids = outbox.reopen_dead_letters(session, batch, now=utcnow())
        relay_after_commit(session, outbox_ids)
        replayed += len(outbox_ids)
    return replayed


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
                .limit(REPLAY_BATCH)
            ).all()
            if i is not None
        ]
        if not ids:
            return replayed
        replayed += replay(session, dead_letter_ids=ids)
        session.flush()
        after = ids[-1]
