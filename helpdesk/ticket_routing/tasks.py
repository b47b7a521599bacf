"""Routing jobs: route a ticket after a change, its clocks after a status change, the SLA check."""

from __future__ import annotations

import structlog

from dossiers.source import DossierUnavailableError
from helpdesk.db import utcnow
from helpdesk.jobs.exclusive import run_alone
from helpdesk.jobs.registry import JobContext, enqueue_job, job
from helpdesk.ticket_routing.service import ROUTING_JOB, route_ticket
from helpdesk.ticket_routing.sla_check import check_due, check_ticket
from helpdesk.tickets.lifecycle import SLA_SYNC_JOB
from helpdesk.tickets.models import Ticket

log = structlog.get_logger(__name__)
SLA_CHECK_JOB = "routing.sla_check"
SLA_CHECK_SECONDS = 60


@job(ROUTING_JOB, max_retries=5)
def ticket_changed(
    ctx: JobContext, *, ticket_id: int, trigger: str = "created", dossier_status: str | None = None
) -> None:
    """Route a ticket created, handed over or whose routed fields (dossier status too) changed."""
    if dossier_status is None:
        dossier_status = _current_dossier_status(ctx, ticket_id)
    route_ticket(ctx.session, ticket_id=ticket_id, trigger=trigger, dossier_status=dossier_status)


def _current_dossier_status(ctx: JobContext, ticket_id: int) -> str:
    """The status code of the ticket's dossier, or "" when there is none or it cannot be read."""
    ticket = ctx.session.get(Ticket, ticket_id)
    if ticket is None or not ticket.dossier_number:
        return ""
    try:
        dossier = ctx.dossier_source.get(ticket.dossier_number)
    except DossierUnavailableError:
        return ""
    return dossier.status if dossier else ""


@job(SLA_SYNC_JOB, max_retries=5)
def sla_sync(ctx: JobContext, *, ticket_id: int) -> None:
    """A ticket changed status: stop, pause or restart its clocks now (safe to run twice)."""
    check_ticket(ctx.session, ticket_id=ticket_id)


@job(SLA_CHECK_JOB, max_retries=2, time_limit_ms=300_000)
def sla_check(ctx: JobContext, *, continuation: bool = False) -> None:
    """Update every running clock; warnings and breaches are recorded (and acted on) once.

    One run at a time: a run that finds another still going leaves the work to it (which
    chains its own continuation), so slow runs never pile up.
    """
    if not run_alone(ctx.session, SLA_CHECK_JOB):
        log.info("routing.sla_check_skipped", reason="another run is going")
        return
    plan = check_due(ctx.session, now=utcnow(), continuation=continuation)
    if plan.more:  # more clocks are due: the next run follows this one's commit at once
        enqueue_job(ctx.session, SLA_CHECK_JOB, continuation=True)
    log.info("routing.sla_checked", tickets=len(plan.ticket_ids), more=plan.more)
