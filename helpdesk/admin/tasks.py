"""Jobs of the administration area: the alert on new dead letters."""

from __future__ import annotations

import structlog

from helpdesk.admin.alerts import DEAD_LETTER_ALERT_JOB, alert_new_dead_letters
from helpdesk.db import utcnow
from helpdesk.jobs.registry import JobContext, job

log = structlog.get_logger(__name__)


@job(DEAD_LETTER_ALERT_JOB, max_retries=2)
def dead_letter_alert(ctx: JobContext) -> None:
    """E-mail the administrators a summary of the dead letters no alert covered yet."""
    outcome = alert_new_dead_letters(ctx.session, base_url=ctx.settings.base_url, now=utcnow())
    if outcome.dead_letters:
        log.info(
            "jobs.dead_letters_alerted",
            dead_letters=outcome.dead_letters,
            announced=outcome.announced,
            mails=outcome.mails,
        )
