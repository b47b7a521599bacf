"""Dossier events from the dossier systems: once per id, into the history of linked tickets."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dossiers.model import DossierEvent
from dossiers.states import NOTABLE_STATUSES, labels
from helpdesk.auth.models import Agent
from helpdesk.db import require_id
from helpdesk.dossier_links.models import DossierEventReceipt
from helpdesk.dossier_links.replies import proposed_reply
from helpdesk.jobs.registry import enqueue_job
from helpdesk.notifications.service import queue_mail
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.fields import ROUTING_JOB
from helpdesk.tickets.models import Message, MessageKind, QueueMembership, Status, Ticket
from helpdesk.tickets.search import index_ticket
from helpdesk.tickets.service import load_for_change, record_event, touch

Outcome = Literal["applied", "ignored", "duplicate"]
SYSTEM_LABEL = "Dossiers ANEF"


def receive_event(session: Session, *, event: DossierEvent) -> tuple[Outcome, int]:
    """Apply an event to every open ticket on its dossier; a replayed id changes nothing."""
    if _seen(session, event.event_id):
        return "duplicate", 0
    ticket_ids = _open_ticket_ids(session, event.dossier_number)
    receipt = DossierEventReceipt(
        event_id=event.event_id,
        dossier_number=event.dossier_number,
        from_status=event.from_status,
        to_status=event.to_status,
        occurred_at=event.occurred_at,
        outcome="applied" if ticket_ids else "ignored",
        tickets=len(ticket_ids),
    )
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:  # the same event delivered twice at once: the other one won
        return "duplicate", 0
    for ticket_id in ticket_ids:
        _apply(session, ticket=load_for_change(session, ticket_id, None), event=event)
    return ("applied" if ticket_ids else "ignored"), len(ticket_ids)


def _seen(session: Session, event_id: str) -> bool:
    """Whether this event id was received before."""
    found = session.exec(
        select(DossierEventReceipt.id).where(DossierEventReceipt.event_id == event_id)
    ).first()
    return found is not None


def _open_ticket_ids(session: Session, number: str) -> list[int]:
    """The tickets on this dossier that are not closed."""
    rows = session.exec(
        select(Ticket.id)
        .where(Ticket.dossier_number == number)
        .where(col(Ticket.status) != Status.CLOSED)
        .order_by(col(Ticket.id))
    ).all()
    return [row for row in rows if row is not None]


def _apply(session: Session, *, ticket: Ticket, event: DossierEvent) -> None:
    """Write the event in the ticket's history; alert the agents if the ticket waits on it."""
    before = labels(event.procedure, event.from_status).agent_label if event.from_status else None
    after = labels(event.procedure, event.to_status).agent_label
    line = record_event(
        session,
        ticket,
        None,
        kind=EventKind.DOSSIER_STATUS,
        from_value=before,
        to_value=after,
        data={
            "event_id": event.event_id,
            "dossier_number": event.dossier_number,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "occurred_at": event.occurred_at.isoformat(),
        },
    )
    line.actor_label = SYSTEM_LABEL
    # The rules may read the dossier status: route again with the status the event gives.
    enqueue_job(
        session,
        ROUTING_JOB,
        ticket_id=ticket.id,
        trigger="fields",
        dossier_status=event.to_status,
    )
    if event.to_status in NOTABLE_STATUSES and ticket.status == Status.WAITING:
        _alert(session, ticket=ticket, event=event, status_label=after)


def _alert(session: Session, *, ticket: Ticket, event: DossierEvent, status_label: str) -> None:
    """An internal note with a proposed reply, and an e-mail to the assignee or the queue."""
    matches = bool(
        event.contact_email
        and ticket.requester_email
        and event.contact_email.strip().casefold() == ticket.requester_email.strip().casefold()
    )
    reply = (
        proposed_reply(
            status=event.to_status,
            number=event.dossier_number,
            requester_name=ticket.requester_name,
        )
        if matches
        else None
    )
    note = _note_text(event.dossier_number, status_label, reply)
    session.add(
        Message(
            ticket_id=require_id(ticket),
            kind=MessageKind.INTERNAL_NOTE,
            author_label=SYSTEM_LABEL,
            body=note,
        )
    )
    alert = record_event(
        session,
        ticket,
        None,
        kind=EventKind.DOSSIER_ALERT,
        to_value=status_label,
        data={"proposed_reply": reply},
    )
    alert.actor_label = SYSTEM_LABEL
    touch(ticket)
    index_ticket(session, ticket)
    _mail_agents(
        session, ticket=ticket, number=event.dossier_number, status_label=status_label, note=note
    )


def _mail_agents(
    session: Session, *, ticket: Ticket, number: str, status_label: str, note: str
) -> None:
    """E-mail the note to the assignee, or else to the available members of the ticket's queue."""
    for recipient in _recipients(session, ticket):
        queue_mail(
            session,
            recipient=recipient,
            subject=f"[{ticket.reference}] Dossier {number} : {status_label}",
            body=(
                f"Bonjour,\n\nLe dossier {number} du ticket {ticket.reference}, "
                f"en attente du demandeur, est passé au statut « {status_label} ».\n\n{note}"
            ),
            ticket_id=ticket.id,
        )


def _note_text(number: str, status_label: str, reply: str | None) -> str:
    """The internal note announcing the move, with the proposed reply when there is one."""
    head = f"Le dossier {number} est passé au statut « {status_label} »."
    if reply is None:
        return (
            f"{head} Aucune réponse n'est proposée : l'adresse électronique du demandeur ne "
            "correspond pas à celle du dossier."
        )
    return f"{head} Réponse proposée au demandeur :\n\n{reply}"


def _recipients(session: Session, ticket: Ticket) -> list[str]:
    """The assignee's e-mail, or else those of the available members of the ticket's queue."""
    if ticket.assignee_id is not None:
        assignee = session.get(Agent, ticket.assignee_id)
        return [assignee.email] if assignee is not None and assignee.active else []
    rows = session.exec(
        select(Agent.email)
        .join(QueueMembership, col(QueueMembership.agent_id) == col(Agent.id))
        .where(QueueMembership.queue_id == ticket.queue_id)
        .where(col(QueueMembership.available).is_(True))
        .where(col(Agent.active).is_(True))
        .order_by(col(Agent.email))
    ).all()
    return list(rows)
