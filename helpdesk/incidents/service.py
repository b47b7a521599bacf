"""Incidents: record, update, link tickets, and resolve them with every linked ticket."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import require_id, utcnow
from helpdesk.errors import (
    InvalidTransitionError,
    NotFoundError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.incidents.models import (
    INCIDENT_STATUS_LABELS,
    Incident,
    IncidentStatus,
    IncidentTicket,
    Notice,
    NoticeKind,
)
from helpdesk.incidents.notices import mail_audience, target_of
from helpdesk.incidents.schemas import IncidentForm, ResolutionForm
from helpdesk.jobs.registry import enqueue_job
from helpdesk.policy import Action, ensure, may_view, visible_tickets
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import load_for_change, record_event, touch

RESOLVE_JOB = "incidents.resolve_linked_ticket"
MAX_LINKS_AT_ONCE = 200
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def incident_label(incident: Incident) -> str:
    """How an incident is named in histories and lists."""
    return f"INC-{incident.id} {incident.title}"[:200]


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """The incident, or a 404."""
    incident = session.get(Incident, incident_id, with_for_update=lock, populate_existing=lock)
    if incident is None:
        raise NotFoundError("Cet incident n'existe pas.")
    return incident


def record_incident(session: Session, *, form: IncidentForm, actor: Agent) -> Incident:
    """Record an incident, publish its notice and e-mail the référents concerned."""
    ensure(session, actor, Action.DECLARE_INCIDENT)
    now = utcnow()
    incident = Incident(
        **_fields(form),
        started_at=form.started_at or now,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    session.add(
        Notice(
            kind=NoticeKind.INCIDENT,
            title=incident.title,
            released_on=incident.started_at,
            procedures=incident.procedures,
            all_sites=incident.all_sites,
            sites=incident.sites,
            changes=incident.description,
            known_issues=incident.workaround,
            incident_id=incident.id,
            created_by_id=actor.id,
        )
    )
    _mail_status(session, incident, "Incident en cours")
    return incident


def update_incident(
    session: Session, *, incident_id: int, form: IncidentForm, actor: Agent, expected_version: int
) -> Incident:
    """Change an unresolved incident; a new status or workaround is e-mailed to its audience."""
    ensure(session, actor, Action.DECLARE_INCIDENT)
    incident = _for_change(session, incident_id, expected_version)
    before = (incident.status, incident.workaround)
    for name, value in _fields(form).items():
        setattr(incident, name, value)
    if form.started_at:
        incident.started_at = form.started_at
    incident.updated_at = utcnow()
    incident.version += 1
    notice = session.exec(select(Notice).where(Notice.incident_id == incident.id)).first()
    if notice is not None:
        notice.title, notice.changes, notice.known_issues = (
            incident.title,
            incident.description,
            incident.workaround,
        )
        notice.procedures, notice.all_sites, notice.sites = (
            incident.procedures,
            incident.all_sites,
            incident.sites,
        )
    if (incident.status, incident.workaround) != before:
        _mail_status(session, incident, f"Incident {status_label(incident.status).lower()}")
    return incident


def link_tickets(
    session: Session, *, incident_id: int, ticket_ids: Iterable[int], actor: Agent
) -> int:
    """Link tickets the agent may link to an unresolved incident; returns how many were new."""
    ensure(session, actor, Action.LINK_INCIDENT)
    incident = get_incident(session, incident_id)
    if incident.status == IncidentStatus.RESOLVED:
        raise InvalidTransitionError("Cet incident est résolu : on ne peut plus y lier de ticket.")
    ids = list(dict.fromkeys(ticket_ids))[:MAX_LINKS_AT_ONCE]
    if not ids:
        raise ValidationFailedError("Sélectionnez au moins un ticket à lier à l'incident.")
    linked = set(
        session.exec(
            select(IncidentTicket.ticket_id).where(IncidentTicket.incident_id == incident_id)
        )
    )
    added = 0
    for ticket_id in ids:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not may_view(session, actor, ticket):
            raise NotFoundError("Un des tickets n'existe pas ou ne vous est pas accessible.")
        if ticket_id in linked:
            continue
        ticket = load_for_change(session, ticket_id, None, actor=actor, action=Action.LINK_INCIDENT)
        session.add(
            IncidentTicket(incident_id=incident_id, ticket_id=ticket_id, linked_by_id=actor.id)
        )
        record_event(
            session,
            ticket,
            actor,
            kind=EventKind.INCIDENT_LINKED,
            to_value=incident_label(incident),
        )
        touch(ticket)
        added += 1
    return added


def link_by_reference(session: Session, *, incident_id: int, reference: str, actor: Agent) -> int:
    """Link one ticket, given by its reference."""
    ticket = session.exec(
        select(Ticket).where(Ticket.reference == reference.strip().upper())
    ).first()
    if ticket is None or not may_view(session, actor, ticket):
        raise NotFoundError(f"Aucun ticket accessible ne porte la référence « {reference} ».")
    return link_tickets(
        session, incident_id=incident_id, ticket_ids=[require_id(ticket)], actor=actor
    )


def resolve_incident(
    session: Session,
    *,
    incident_id: int,
    form: ResolutionForm,
    actor: Agent,
    expected_version: int | None = None,
) -> Incident:
    """Resolve the incident; each linked ticket the resolver may resolve gets its message,
    on behalf of its owner queue, once; the others are listed as skipped with the reason."""
    ensure(session, actor, Action.RESOLVE_INCIDENT)
    incident = get_incident(session, incident_id, lock=True)
    if incident.status == IncidentStatus.RESOLVED:
        return incident  # a retried action: everything was already queued once
    if expected_version is not None and incident.version != expected_version:
        raise StaleVersionError(_STALE)
    now = utcnow()
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at, incident.resolved_by_id, incident.updated_at = now, actor.id, now
    incident.usager_reply, incident.referent_message = form.usager_reply, form.referent_message
    incident.version += 1
    links = session.exec(
        select(IncidentTicket).where(
            IncidentTicket.incident_id == incident_id, col(IncidentTicket.notified_at).is_(None)
        )
    ).all()
    for link in links:
        enqueue_job(session, RESOLVE_JOB, link_id=require_id(link))
    _mail_status(session, incident, "Incident résolu")
    return incident


def linked_incidents(session: Session, *, ticket_id: int) -> list[Incident]:
    """The incidents a ticket is linked to."""
    return list(
        session.exec(
            select(Incident)
            .join(IncidentTicket, col(IncidentTicket.incident_id) == col(Incident.id))
            .where(IncidentTicket.ticket_id == ticket_id)
            .order_by(col(Incident.id))
        ).all()
    )


def linked_tickets(
    session: Session, *, incident_id: int, reader: Agent
) -> list[tuple[IncidentTicket, Ticket]]:
    """The tickets linked to an incident that the reader may see, with their link."""
    return [
        (link, ticket)
        for link, ticket in session.exec(
            select(IncidentTicket, Ticket)
            .join(Ticket, col(Ticket.id) == col(IncidentTicket.ticket_id))
            .where(IncidentTicket.incident_id == incident_id, visible_tickets(session, reader))
            .order_by(col(IncidentTicket.id))
        ).all()
    ]


def linked_count(session: Session, *, incident_id: int) -> int:
    """How many tickets are linked to the incident, seen or not by the reader."""
    rows = session.exec(
        select(IncidentTicket.id).where(IncidentTicket.incident_id == incident_id)
    ).all()
    return len(rows)


def open_incidents(session: Session) -> list[Incident]:
    """The incidents not yet resolved, newest first."""
    return list(
        session.exec(
            select(Incident)
            .where(Incident.status != IncidentStatus.RESOLVED)
            .order_by(col(Incident.started_at).desc())
        ).all()
    )


def fill(text: str, *, incident: Incident, ticket: Ticket) -> str:
    """A resolution text with {nom}, {reference} and {incident} replaced."""
    values = {
        "nom": ticket.requester_name or "Madame, Monsieur",
        "reference": ticket.reference,
        "incident": incident.title,
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def status_label(status: str) -> str:
    """The French label of an incident status."""
    try:
        return INCIDENT_STATUS_LABELS[IncidentStatus(status)]
    except ValueError:
        return status


_STALE = (
    "Cet incident a été modifié par quelqu'un d'autre pendant que vous le consultiez. "
    "Rechargez la page, puis recommencez."
)


def _for_change(session: Session, incident_id: int, expected_version: int) -> Incident:
    """Lock an unresolved incident and check its version."""
    incident = get_incident(session, incident_id, lock=True)
    if incident.version != expected_version:
        raise StaleVersionError(_STALE)
    if incident.status == IncidentStatus.RESOLVED:
        raise InvalidTransitionError("Cet incident est résolu : il ne peut plus être modifié.")
    return incident


def _fields(form: IncidentForm) -> dict[str, Any]:
    """The columns an incident form sets."""
    return {
        "title": form.title,
        "description": form.description,
        "procedures": form.procedures,
        "all_sites": form.all_sites,
        "sites": [] if form.all_sites else form.sites,
        "status": form.status.value,
        "workaround": form.workaround,
    }


def _mail_status(session: Session, incident: Incident, headline: str) -> None:
    """E-mail the référents the incident concerns about where it stands."""
    lines = [incident.description]
    if incident.workaround and incident.status != IncidentStatus.RESOLVED:
        lines.append(f"Contournement :\n{incident.workaround}")
    lines.append(f"Statut : {status_label(incident.status)}")
    mail_audience(
        session,
        target=target_of(incident),
        subject=f"{headline} : {incident.title}",
        body="\n\n".join(lines),
    )
