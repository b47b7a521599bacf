"""Jobs of agent notifications: derive them from committed changes, send the daily digests."""

from __future__ import annotations

import structlog

import helpdesk.agent_notifications.seen  # noqa: F401  (opening a ticket marks it read)
from helpdesk.agent_notifications.capture import DERIVE_JOB  # (its listener sees every flush)
from helpdesk.agent_notifications.digest import send_digests
from helpdesk.agent_notifications.service import derive
from helpdesk.jobs.registry import JobContext, job

log = structlog.get_logger(__name__)

DIGEST_JOB = "agent_notifications.daily_digest"
DIGEST_CHECK_SECONDS = 3600


@job(DERIVE_JOB, max_retries=8, time_limit_ms=60_000)
def derive_notifications(
    ctx: JobContext, *, event_ids: list[int] | None = None, message_ids: list[int] | None = None
) -> None:
    """Write the notifications of one committed transaction's lines and messages (once each)."""
    written = derive(
        ctx.session, ctx.settings, event_ids=event_ids or [], message_ids=message_ids or []
    )
    log.info("agent_notifications.derived", written=written)


@job(DIGEST_JOB, max_retries=3, time_limit_ms=120_000)
def daily_digest(ctx: JobContext) -> None:
    """Send the digests that are due (the clock enqueues this every hour)."""
    sent = send_digests(ctx.session, ctx.settings)
    log.info("agent_notifications.digests", sent=sent)
