"""Routing jobs: route a ticket after a change, and the periodic SLA check."""

from __future__ import annotations

import structlog

from helpdesk.jobs.registry import JobContext, job
from helpdesk.routing.service import ROUTING_JOB, route_ticket
from helpdesk.routing.sla_check import check_ticket, tickets_to_check

log = structlog.get_logger(__name__)
SLA_CHECK_JOB = "routing.sla_check"
SLA_CHECK_SECONDS = 60


@job(ROUTING_JOB, max_retries=5)
def ticket_changed(ctx: JobContext, *, ticket_id: int, trigger: str = "created") -> None:
    """Route a ticket created, handed over or whose routed fields changed."""
    route_ticket(ctx.session, ticket_id=ticket_id, trigger=trigger)


@job(SLA_CHECK_JOB, max_retries=2, time_limit_ms=300_000)
def sla_check(ctx: JobContext) -> None:
    """Update every running clock; warnings and breaches are recorded (and acted on) once."""
    checked = 0
    # No savepoint per ticket: the outbox relay fires on a savepoint's release, before the
    # e-mails it queued are committed (they would wait for the sweep).
    for ticket_id in tickets_to_check(ctx.session):
        check_ticket(ctx.session, ticket_id=ticket_id)
        checked += 1
    log.info("routing.sla_checked", tickets=checked)
