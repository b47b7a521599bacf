"""Applying a macro: an élément de langage that also sets the status, the priority and tags.

Everything happens in the caller's transaction (the view wraps it in `attempt`): a refused
status change, a missing right or a stale page leaves the ticket exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.policy import Action, authorize
from helpdesk.tickets import canned, fields, tags
from helpdesk.tickets.lifecycle import transition
from helpdesk.tickets.models import PRIORITY_LABELS, STATUS_LABELS, Priority, Status, Ticket
from helpdesk.tickets.service import load_for_change


@dataclass(frozen=True)
class MacroResult:
    """What applying a macro gave: the text for the draft and the changes, in words."""

    title: str
    text: str
    changes: list[str]

    def summary(self) -> str:
        """The confirmation shown to the agent."""
        return " ; ".join([f"Élément « {self.title} » inséré", *self.changes])


def apply_macro(
    session: Session,
    *,
    ticket_id: int,
    response_id: int,
    actor: Agent,
    expected_version: int | None,
    dossier_status: str = "",
) -> MacroResult:
    """Set the macro's status, priority and tags on the ticket; answers the text to insert."""
    ticket = load_for_change(session, ticket_id, expected_version, actor=actor, action=Action.NOTE)
    response = canned.usable(session, agent=actor, response_id=response_id)
    changes = []
    # The status last: a refused move comes after the other writes, which `attempt` undoes.
    if response.macro_priority and response.macro_priority != ticket.priority:
        _set_priority(session, ticket, actor, response.macro_priority)
        changes.append("priorité : " + PRIORITY_LABELS[Priority(response.macro_priority)])
    wanted = tags.split_tags(response.macro_tags)
    if wanted:
        authorize(session, actor, Action.CHANGE_FIELDS, ticket)
        added = tags.add_tags(session, ticket, actor, wanted)
        changes += [f"étiquette ajoutée : {tag}" for tag in added]
    if response.macro_status and response.macro_status != ticket.status:
        authorize(session, actor, Action.CHANGE_STATUS, ticket)
        reason = f"Élément de langage « {response.title} »"
        transition(session, ticket, response.macro_status, actor=actor, reason=reason)
        changes.insert(0, "statut : " + STATUS_LABELS[Status(response.macro_status)])
    text = canned.fill(response, agent=actor, ticket=ticket, dossier_status=dossier_status)
    return MacroResult(response.title, text, changes)


def _set_priority(session: Session, ticket: Ticket, actor: Agent, priority: str) -> None:
    """Change only the priority, through the service that corrects a ticket's fields."""
    fields.update_fields(
        session,
        ticket_id=ticket.id,  # type: ignore[arg-type]
        actor=actor,
        procedure=ticket.procedure or "",
        category=ticket.category or "",
        priority=priority,
    )
