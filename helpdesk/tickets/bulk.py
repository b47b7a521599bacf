"""Bulk actions on a selection of tickets: all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.policy import Action, may_view
from helpdesk.policy.tickets import refused_ticket
from helpdesk.tickets import handover, service
from helpdesk.tickets.models import Ticket

MAX_SELECTION = 200
ACTIONS = ("take", "unassign", "status", "handover")


@dataclass(frozen=True)
class BulkAction:
    """One action and its parameters, applied to each selected ticket."""

    action: str
    status: str = ""
    to_queue: str = ""
    reason: str = ""
    checked: str = ""
    question: str = ""


def apply(session: Session, *, agent: Agent, ticket_ids: list[int], todo: BulkAction) -> int:
    """Apply one action to every selected ticket; any refusal cancels the whole batch."""
    ids = list(dict.fromkeys(ticket_ids))[:MAX_SELECTION]
    if not ids:
        raise ValidationFailedError("Sélectionnez au moins un ticket.")
    for ticket_id in ids:  # an unseen ticket is a 404 whatever else is wrong
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not may_view(session, agent, ticket):
            raise NotFoundError(
                "Un des tickets sélectionnés n'existe pas ou ne vous est pas accessible.",
                refused=refused_ticket(session, ticket, Action.VIEW, 404) if ticket else None,
            )
    if todo.action not in ACTIONS:
        raise ValidationFailedError("Choisissez une action à appliquer à la sélection.")
    for ticket_id in ids:
        _apply_one(session, agent, ticket_id, todo)
    return len(ids)


def _apply_one(session: Session, agent: Agent, ticket_id: int, todo: BulkAction) -> None:
    """One ticket of the batch, through the same services as the ticket page."""
    if todo.action == "take":
        service.assign(session, ticket_id=ticket_id, assignee_id=agent.id, actor=agent)
    elif todo.action == "unassign":
        service.assign(session, ticket_id=ticket_id, assignee_id=None, actor=agent)
    elif todo.action == "status":
        service.change_status(session, ticket_id=ticket_id, status=todo.status, actor=agent)
    else:
        handover.hand_over(
            session,
            ticket_id=ticket_id,
            to_queue_code=todo.to_queue,
            reason=todo.reason,
            checked=todo.checked,
            question=todo.question,
            actor=agent,
        )
