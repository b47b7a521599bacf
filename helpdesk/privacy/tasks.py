"""The retention job: the clock enqueues it daily; it chains itself while work is left."""

from __future__ import annotations

import structlog

from helpdesk.jobs.exclusive import run_alone
from helpdesk.jobs.registry import JobContext, enqueue_job, job
from helpdesk.privacy.retention import run_retention

log = structlog.get_logger(__name__)
RETENTION_JOB = "privacy.retention_run"
RETENTION_EVERY_SECONDS = 24 * 3600


@job(RETENTION_JOB, max_retries=3, time_limit_ms=600_000)
def retention_run(ctx: JobContext, *, continuation: bool = False) -> None:
    """Apply the retention policy once (bounded), recorded; a continuation follows if needed.

    One run at a time: a run that finds another going leaves the work to it."""
    if not run_alone(ctx.session, RETENTION_JOB):
        log.info("privacy.retention_skipped", reason="another run is going")
        return
    run = run_retention(ctx.session, settings=ctx.settings)
    if run.more:
        enqueue_job(ctx.session, RETENTION_JOB, continuation=True)
    log.info("privacy.retention_done", run_id=run.id, more=run.more, continuation=continuation)
