"""Periodic housekeeping: expired sessions and old sign-in failures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col

from helpdesk.auth.models import AgentSession, SignInFailure
from helpdesk.db import utcnow
from helpdesk.jobs.registry import JobContext, job


@job("maintenance.purge_expired", max_retries=2)
def purge_expired(ctx: JobContext) -> None:
    """Delete sign-in failures past their window and sessions past their absolute limit."""
    now = utcnow()
    failures_before = now - timedelta(seconds=ctx.settings.login_window_seconds * 4)
    sessions_before = now - timedelta(hours=ctx.settings.session_absolute_hours + 24)
    ctx.session.execute(delete(SignInFailure).where(col(SignInFailure.at) < failures_before))
    ctx.session.execute(delete(AgentSession).where(col(AgentSession.created_at) < sessions_before))
