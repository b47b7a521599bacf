"""The job that posts an incident's resolution on one linked ticket, exactly once."""

from __future__ import annotations

import structlog
from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.db import require_id, utcnow
from helpdesk.incidents.models import Incident, IncidentStatus, IncidentTicket, LinkOutcome
from helpdesk.incidents.service import RESOLVE_JOB, fill, incident_label
from helpdesk.jobs.registry import JobContext, job
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import Action, may
from helpdesk.tickets import lifecycle
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Channel, Message, MessageKind, Queue, Status, Ticket
from helpdesk.tickets.search import index_ticket
from helpdesk.tickets.service import load_for_change

log = structlog.get_logger(__name__)


@job(RESOLVE_JOB, max_retries=8)
def resolve_linked_ticket_job(ctx: JobContext, *, link_id: int) -> None:
    """Post the resolution on one linked ticket (safe to run twice)."""
    outcome = resolve_linked_ticket(ctx.session, link_id=link_id)
    log.info("incident.ticket_resolved", link_id=link_id, outcome=outcome)


def resolve_linked_ticket(session: Session, *, link_id: int) -> str:
    """Post the message, resolve the ticket and mark the link done; a second run does nothing."""
    link = session.get(IncidentTicket, link_id, with_for_update=True, populate_existing=True)
    if link is None or link.notified_at is not None:
        return "already_done"
    incident = session.get(Incident, link.incident_id)
    if incident is None or incident.status != IncidentStatus.RESOLVED:
        return "not_resolved"
    ticket = load_for_change(session, link.ticket_id, None)
    actor = session.get(Agent, incident.resolved_by_id) if incident.resolved_by_id else None
    skipped = skip_reason(session, actor, ticket)
    if skipped:
        link.outcome = skipped
    else:
        _post_resolution(session, incident, ticket, actor)
        link.outcome = LinkOutcome.NOTIFIED
    link.notified_at = utcnow()
    return link.outcome


def skip_reason(session: Session, actor: Agent | None, ticket: Ticket) -> LinkOutcome | None:
    """Why the resolution is not posted on this ticket (None: it is posted)."""
    if ticket.merged_into_id is not None:
        return LinkOutcome.MERGED
    if ticket.status == Status.CLOSED:
        return LinkOutcome.CLOSED
    if not may(session, actor, Action.RESOLVE_INCIDENT, ticket):
        return LinkOutcome.NOT_ALLOWED
    return None


def _post_resolution(
    session: Session, incident: Incident, ticket: Ticket, actor: Agent | None
) -> None:
    """The public message, the history line, the status and the e-mail of one ticket."""
    is_report = ticket.channel == Channel.REFERENT
    text = fill(
        incident.referent_message if is_report else incident.usager_reply,
        incident=incident,
        ticket=ticket,
    )
    owner_queue = session.get(Queue, ticket.owner_queue_id)
    # Posted on behalf of the level that talks to the requester, as any reply would be.
    session.add(
        Message(
            ticket_id=require_id(ticket),
            kind=MessageKind.PUBLIC_REPLY,
            author_id=actor.id if actor else None,
            author_label=owner_queue.name if owner_queue else "DP ANEF",
            body=text,
        )
    )
    lifecycle.record_first_response(ticket)
    reason = f"Incident résolu : {incident.title}"
    lifecycle.record_event(
        session,
        ticket,
        actor,
        kind=EventKind.INCIDENT_RESOLVED,
        to_value=incident_label(incident),
        reason=reason,
    )
    if lifecycle.can_change(ticket.status, Status.RESOLVED):
        lifecycle.transition(
            session,
            ticket,
            Status.RESOLVED,
            actor=actor,
            reason=reason,
            cause=lifecycle.Cause.INCIDENT,
        )
    lifecycle.touch(ticket)
    index_ticket(session, ticket)
    if ticket.requester_email:
        _mail(session, ticket, text, is_report=is_report)


def _mail(session: Session, ticket: Ticket, text: str, *, is_report: bool) -> None:
    """E-mail the resolution to the requester (usager or référent), through the outbox."""
    subject = (
        f"Signalement {ticket.reference} : incident résolu"
        if is_report
        else f"Réponse à votre demande {ticket.reference}"
    )
    queue_mail(
        session,
        recipient=ticket.requester_email or "",
        subject=subject,
        body=text,
        ticket_id=ticket.id,
    )
