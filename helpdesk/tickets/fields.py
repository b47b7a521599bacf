"""Correcting a ticket's procedure, motif and priority; the routing rules then run again."""

from __future__ import annotations

from sqlmodel import Session

from dossiers.catalog import is_procedure
from helpdesk.auth.models import Agent
from helpdesk.errors import ValidationFailedError
from helpdesk.jobs.registry import enqueue_job
from helpdesk.policy import Action
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Priority, Ticket
from helpdesk.tickets.service import load_for_change, record_event, touch

ROUTING_JOB = "routing.ticket_changed"


def update_fields(
    session: Session,
    *,
    ticket_id: int,
    actor: Agent,
    procedure: str,
    category: str,
    priority: str,
    expected_version: int | None = None,
) -> Ticket:
    """Change what the agent corrected, one history line per field, then re-route."""
    ticket = load_for_change(
        session, ticket_id, expected_version, actor=actor, action=Action.CHANGE_FIELDS
    )
    wanted = _checked(procedure=procedure, category=category, priority=priority)
    changed = False
    for name, value in wanted.items():
        current = getattr(ticket, name)
        if (current or None) == (value or None):
            continue
        record_event(
            session,
            ticket,
            actor,
            kind=EventKind.FIELD_CHANGED,
            from_value=current,
            to_value=value,
            data={"field": name},
        )
        setattr(ticket, name, value if name == "priority" else (value or None))
        changed = True
    if changed:
        touch(ticket)
        enqueue_job(session, ROUTING_JOB, ticket_id=ticket.id, trigger="fields")
    return ticket


def _checked(*, procedure: str, category: str, priority: str) -> dict[str, str]:
    """The stripped values, refused when the procedure or the priority is unknown."""
    values = {
        "procedure": procedure.strip(),
        "category": category.strip()[:60],
        "priority": priority,
    }
    errors = {}
    if values["procedure"] and not is_procedure(values["procedure"]):
        errors["procedure"] = "Cette téléprocédure n'existe pas dans le catalogue."
    if priority not in {p.value for p in Priority}:
        errors["priority"] = "Choisissez une priorité de la liste."
    if errors:
        raise ValidationFailedError(
            "Les champs du ticket n'ont pas été modifiés.", field_errors=errors
        )
    return values
