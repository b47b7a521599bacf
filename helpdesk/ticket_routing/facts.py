"""What routing reads of a ticket: its facts as plain data, and its requester kind."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dossiers.catalog import PROCEDURES_BY_CODE
from helpdesk.auth.models import Organisation, OrganisationKind
from helpdesk.tickets.models import QUESTION_KINDS, Channel, Message, Queue, Ticket
from routing.rules import TicketFacts


def requester_kind(channel: str, site_kind: str | None) -> str:
    """usager, referent-sejour or referent-natali, from the channel and the site's kind."""
    if channel != Channel.REFERENT:
        return "usager"
    return "referent-natali" if site_kind == OrganisationKind.PLATFORM else "referent-sejour"


def first_message(session: Session, ticket: Ticket) -> str:
    """The requester's first message of the ticket."""
    body = session.exec(
        select(Message.body)
        .where(Message.ticket_id == ticket.id, col(Message.kind).in_(QUESTION_KINDS))
        .order_by(col(Message.id))
        .limit(1)
    ).first()
    return body or ""


def ticket_facts(session: Session, ticket: Ticket, *, dossier_status: str = "") -> TicketFacts:
    """The facts rules read of a stored ticket."""
    site = session.get(Organisation, ticket.site_id) if ticket.site_id else None
    queue = session.get(Queue, ticket.queue_id)
    procedure = PROCEDURES_BY_CODE.get(ticket.procedure or "")
    return TicketFacts(
        canal=ticket.channel,
        demandeur=requester_kind(ticket.channel, site.kind if site else None),
        procedure=ticket.procedure or "",
        famille=procedure.family if procedure else "",
        motif=ticket.category or "",
        site=site.code if site else "",
        langue=ticket.language,
        dossier=dossier_status,
        priorite=ticket.priority,
        file=queue.code if queue else "",
        subject=ticket.subject,
        message=first_message(session, ticket),
    )


def text_facts(
    *, subject: str, message: str, channel: str, requester: str, procedure: str = ""
) -> TicketFacts:
    """The facts of a text typed in the dry run (no ticket behind it)."""
    known = PROCEDURES_BY_CODE.get(procedure)
    return TicketFacts(
        canal=Channel.REFERENT.value if requester.startswith("referent") else channel,
        demandeur=requester,
        procedure=procedure if known else "",
        famille=known.family if known else "",
        file="ccc" if requester == "usager" else "",
        subject=subject,
        message=message,
    )
