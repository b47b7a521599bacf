"""What the ticket page tells the agent after each action, and which message button does what."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.tickets import labels
from helpdesk.tickets.models import HandoverRoute, Message, MessageKind, Queue, Status, Ticket
from routing.chain import HandoverKind

# The buttons of the message form: the kind of message and the status set with it.
SEND_CHOICES: dict[str, tuple[MessageKind, str | None]] = {
    "reply": (MessageKind.PUBLIC_REPLY, None),
    "reply_waiting": (MessageKind.PUBLIC_REPLY, Status.WAITING.value),
    "reply_resolved": (MessageKind.PUBLIC_REPLY, Status.RESOLVED.value),
    "note": (MessageKind.INTERNAL_NOTE, None),
}


def message_choice(send: str, kind: MessageKind) -> tuple[MessageKind, str | None]:
    """The kind and the status of the button pressed (else the kind field; never "requester")."""
    if send in SEND_CHOICES:
        return SEND_CHOICES[send]
    return (MessageKind.INTERNAL_NOTE if kind == MessageKind.REQUESTER else kind), None


def message_done(
    session: Session, *, ticket_id: int, kind: MessageKind
) -> Callable[[Message], str]:
    """The confirmation of a message, naming the new status when it changed."""
    ticket = session.get(Ticket, ticket_id)
    before = ticket.status if ticket else None

    def text(message: Message) -> str:
        sent = (
            "Réponse envoyée à l'usager"
            if kind == MessageKind.PUBLIC_REPLY
            else "Note interne enregistrée"
        )
        after = session.get(Ticket, message.ticket_id)
        if after is None or after.status == before:
            return sent
        return f"{sent} ; statut : {labels.status_words(after.status)}"

    return text


def status_done(ticket: Ticket) -> str:
    """The confirmation of a status change."""
    return f"Statut changé : {labels.status_words(ticket.status)}"


def assign_done(session: Session, *, agent: Agent) -> Callable[[Ticket], str]:
    """The confirmation of an assignment."""

    def text(ticket: Ticket) -> str:
        if ticket.assignee_id is None:
            return "Le ticket n'est plus attribué à personne"
        if ticket.assignee_id == agent.id:
            return "Vous avez pris ce ticket"
        assignee = session.get(Agent, ticket.assignee_id)
        return f"Ticket attribué à {assignee.full_name if assignee else 'un agent'}"

    return text


def handover_done(session: Session, *, ticket_id: int) -> Callable[[Ticket], str]:
    """The confirmation of a hand-over: "Ticket transmis à la DP ANEF", "Réponse renvoyée…"."""
    ticket = session.get(Ticket, ticket_id)
    source_id = ticket.queue_id if ticket else None

    def text(moved: Ticket) -> str:
        target = session.get(Queue, moved.queue_id)
        if target is None:
            return "Ticket transmis"
        route = session.exec(
            select(HandoverRoute).where(
                HandoverRoute.from_queue_id == source_id, HandoverRoute.to_queue_id == target.id
            )
        ).first()
        if route is not None and route.kind == HandoverKind.RETURN:
            return f"Réponse renvoyée {labels.to_queue(target)}"
        return f"Ticket transmis {labels.to_queue(target)}"

    return text


def merge_done(target: Ticket) -> str:
    """The confirmation of a merge."""
    return f"Ticket fusionné dans {target.reference} ; il est maintenant clos"


def answer_label(queue: Queue) -> str:
    """The label of an answer that came back down from this queue: « Réponse de la DP ANEF »."""
    return f"Réponse {labels.of_queue(queue)}"
