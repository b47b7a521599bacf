"""Jobs of the knowledge base."""

from __future__ import annotations

from helpdesk.jobs.registry import JobContext, job
from helpdesk.kb.index import bump_version

REFRESH_JOB = "kb.refresh_index"


@job(REFRESH_JOB, max_retries=10, min_backoff_ms=500, time_limit_ms=30_000)
def refresh_index(ctx: JobContext, *, article_ids: list[int]) -> None:
    """Bump the index version for these articles; every process's index then picks them up."""
    bump_version(ctx.session, article_ids=article_ids)
