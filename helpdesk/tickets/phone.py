"""Phone calls taken by téléconseillers: resolved at first contact, or escalated to DP ANEF.

The call's notes are the ticket's first message, of kind `call_note` (internal: the
usager's follow-up page does not show them); the dossier the téléconseiller found by the
caller's numéro étranger is attached to the ticket.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails
from sqlmodel import Session, col, select

from dossiers.source import DossierSource
from helpdesk.auth.models import Agent
from helpdesk.dossier_links.service import attach_dossier
from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.lifecycle import Cause, transition
from helpdesk.tickets.models import Channel, Message, MessageKind, Status, Ticket
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import create_ticket, queue_by_code
from helpdesk.web.forms import WebForm

CALL_OUTCOMES = ("resolved", "escalated")
ESCALATION_QUEUE = "dp-anef"


class PhoneCall(WebForm):
    """What the téléconseiller notes during a call."""

    model_config = ConfigDict(str_strip_whitespace=True)

    requester_name: str = Field(default="", max_length=200)
    requester_email: str = Field(default="", max_length=254)
    requester_phone: str = Field(default="", max_length=30)
    requester_foreign_number: str = Field(default="", max_length=10)
    identity_checked: bool = False
    procedure: str = ""
    motif: str = Field(default="", max_length=60)
    subject: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=20_000)
    outcome: str = "resolved"
    reason: str = ""
    checked: str = ""
    question: str = ""
    dossier_number: str = Field(default="", max_length=30)


def record_call(
    session: Session, *, agent: Agent, call: PhoneCall, source: DossierSource | None = None
) -> Ticket:
    """Create the call's ticket, resolved at first contact or handed over to DP ANEF."""
    ensure_call_taker(session, agent)
    if call.outcome not in CALL_OUTCOMES:
        raise ValidationFailedError("Choisissez l'issue de l'appel.")
    data = _new_ticket(call)
    ticket = create_ticket(session, data=data, actor=agent)
    _as_call_note(session, ticket, agent)
    if call.dossier_number and source is not None:
        _attach(session, ticket, agent, call.dossier_number, source)
    if call.outcome == "resolved":
        ticket.resolved_at_first_contact = True
        transition(
            session,
            ticket,
            Status.RESOLVED,
            actor=agent,
            reason="Résolu au premier contact",
            cause=Cause.FIRST_CONTACT,
        )
        return ticket
    queue_by_code(session, code=ESCALATION_QUEUE)
    return hand_over(
        session,
        ticket_id=ticket.id,  # type: ignore[arg-type]
        to_queue_code=ESCALATION_QUEUE,
        reason=call.reason,
        checked=call.checked,
        question=call.question,
        actor=agent,
    )


def _as_call_note(session: Session, ticket: Ticket, agent: Agent) -> None:
    """The first message is the téléconseiller's note of the call, not the usager's words."""
    first = session.exec(
        select(Message).where(Message.ticket_id == ticket.id).order_by(col(Message.id))
    ).first()
    if first is not None:
        first.kind = MessageKind.CALL_NOTE
        first.author_id = agent.id
        first.author_label = agent.full_name


def _attach(
    session: Session, ticket: Ticket, agent: Agent, number: str, source: DossierSource
) -> None:
    """Attach the dossier found for the caller; a wrong number is an error beside its field."""
    try:
        attach_dossier(
            session,
            source=source,
            ticket_id=ticket.id,  # type: ignore[arg-type]
            number=number,
            actor=agent,
        )
    except ValidationFailedError as error:
        raise ValidationFailedError(
            "Le dossier choisi n'a pas pu être rattaché.",
            field_errors={"dossier_number": error.message},
        ) from error


def ensure_call_taker(session: Session, agent: Agent) -> None:
    """Only the CCC answers usagers' calls (the policy's TAKE_CALL right)."""
    ensure(session, agent, Action.TAKE_CALL)


def _new_ticket(call: PhoneCall) -> NewTicket:
    """The ticket data of a call; the pydantic checks give the field errors."""
    try:
        return NewTicket(
            channel=Channel.PHONE,
            subject=call.subject
            or (f"Appel — {call.motif}" if call.motif else "Appel téléphonique"),
            body=call.notes or "(appel sans note)",
            requester_name=call.requester_name,
            requester_email=call.requester_email or None,
            requester_phone=call.requester_phone or None,
            requester_foreign_number=call.requester_foreign_number or None,
            procedure=call.procedure or None,
            category=call.motif or None,
        )
    except ValidationError as error:
        raise ValidationFailedError(
            "Certaines informations de l'appel sont à corriger.",
            field_errors={str(e["loc"][0]): _french(e) for e in error.errors()},
        ) from error


def _french(error: ErrorDetails) -> str:
    """A French message for a pydantic error (ours are already in French)."""
    message = error["msg"]
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if error["loc"] and error["loc"][0] == "requester_email":
        return "L'adresse électronique n'est pas valide."
    return "Cette valeur n'est pas valide."
