"""Hand-overs along the chain: escalate with a structured summary, transfer, return an answer."""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.errors import InvalidTransitionError, ValidationFailedError
from helpdesk.jobs.registry import enqueue_job
from helpdesk.policy import Action, authorize
from helpdesk.text_limits import MESSAGE_MAX, SUMMARY_MAX, check_lengths
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.lifecycle import Line, place_in_queue, record_handover, touch
from helpdesk.tickets.models import HandoverRoute, Message, MessageKind, Queue, Ticket
from helpdesk.tickets.service import load_for_change, queue_by_code
from routing.chain import HandoverKind

# The RETURN line's data names the note holding the answer it carried down.
ANSWER_KEY = "answer_message_id"


def hand_over(
    session: Session,
    *,
    ticket_id: int,
    to_queue_code: str,
    reason: str,
    actor: Agent,
    checked: str = "",
    question: str = "",
    answer: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Move the ticket along a move the chain allows, with what the next level needs."""
    ticket = load_for_change(
        session, ticket_id, expected_version, actor=actor, action=Action.HAND_OVER
    )
    source = session.get(Queue, ticket.queue_id)
    target = queue_by_code(session, code=to_queue_code)
    assert source is not None
    route = allowed_route(session, source, target)
    if route.kind == HandoverKind.RETURN:
        authorize(session, actor, Action.RETURN, ticket)
    fields = _checked_fields(
        route.kind, reason=reason, checked=checked, question=question, answer=answer
    )
    place_in_queue(session, ticket, queue_id=target.id)  # type: ignore[arg-type]
    data: dict[str, object] = {
        k: v for k, v in fields.items() if k in ("checked", "question") and v
    }
    if route.kind == HandoverKind.RETURN:
        data[ANSWER_KEY] = _record_answer(session, ticket, actor, fields["answer"])
        ticket.answer_received = target.id == ticket.owner_queue_id
    # For a new ticket, the hand-over's line is also its change to "open".
    record_handover(
        session,
        ticket,
        actor,
        Line(
            EventKind(route.kind),
            from_value=source.code,
            to_value=target.code,
            reason=fields["reason"],
            data=data,
        ),
    )
    touch(ticket)
    enqueue_job(session, "routing.ticket_changed", ticket_id=ticket.id, trigger="handover")
    return ticket


def allowed_route(session: Session, source: Queue, target: Queue) -> HandoverRoute:
    """The route between two queues, or a refusal naming both."""
    route = session.exec(
        select(HandoverRoute).where(
            HandoverRoute.from_queue_id == source.id, HandoverRoute.to_queue_id == target.id
        )
    ).first()
    if route is None:
        raise InvalidTransitionError(
            f"Le circuit de support ne prévoit pas de passage de « {source.name} » "
            f"à « {target.name} »."
        )
    return route


REQUIRED = {
    HandoverKind.ESCALATE: {
        "reason": "Indiquez le motif de l'escalade.",
        "checked": "Indiquez ce qui a déjà été vérifié.",
        "question": "Formulez la question posée au niveau suivant.",
    },
    HandoverKind.TRANSFER: {"reason": "Indiquez le motif du transfert."},
    HandoverKind.RETURN: {"answer": "Rédigez la réponse que vous renvoyez."},
}


def _checked_fields(kind: str, **values: str) -> dict[str, str]:
    """The stripped fields of a hand-over; refuses when a required one is empty."""
    fields = {name: value.replace("\0", "").strip() for name, value in values.items()}
    check_lengths(
        {
            name: (value, MESSAGE_MAX if name == "answer" else SUMMARY_MAX)
            for name, value in fields.items()
        }
    )
    missing = {
        name: message
        for name, message in REQUIRED.get(HandoverKind(kind), {}).items()
        if not fields.get(name)
    }
    if missing:
        raise ValidationFailedError(
            "Complétez le transfert : " + " ".join(missing.values()), field_errors=missing
        )
    if kind == HandoverKind.RETURN and not fields["reason"]:
        fields["reason"] = "Réponse du niveau supérieur"
    return fields


def _record_answer(session: Session, ticket: Ticket, actor: Agent, answer: str) -> int:
    """The higher level's answer, kept as an internal note for the owner level; its id."""
    message = Message(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        kind=MessageKind.INTERNAL_NOTE,
        author_id=actor.id,
        author_label=actor.full_name,
        body=answer,
    )
    session.add(message)
    session.flush()
    return message.id  # type: ignore[return-value]
