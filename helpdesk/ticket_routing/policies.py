"""Changing SLA policies: targets, warning, breach actions."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.ticket_routing.models import SlaPolicy
from helpdesk.tickets.models import Queue


def update_policy(
    session: Session,
    *,
    policy_id: int,
    response_minutes: int,
    resolution_minutes: int,
    warn_before_minutes: int,
    raise_priority: bool,
    notify_supervisor: bool,
    escalate_to_queue_id: int | None,
) -> SlaPolicy:
    """Change one policy; targets are positive and the warning comes before the deadline."""
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFoundError("Cette politique de délai n'existe pas.")
    if response_minutes < 1 or resolution_minutes < 1:
        raise ValidationFailedError("Les délais sont d'au moins une minute ouvrée.")
    if not 0 <= warn_before_minutes < resolution_minutes:
        raise ValidationFailedError(
            "L'alerte doit précéder l'échéance : indiquez moins de minutes "
            "que le délai de résolution."
        )
    if escalate_to_queue_id is not None and session.get(Queue, escalate_to_queue_id) is None:
        raise ValidationFailedError("Choisissez une file d'escalade de la liste.")
    policy.response_minutes, policy.resolution_minutes = response_minutes, resolution_minutes
    policy.warn_before_minutes = warn_before_minutes
    policy.raise_priority, policy.notify_supervisor = raise_priority, notify_supervisor
    policy.escalate_to_queue_id = escalate_to_queue_id
    session.add(policy)
    return policy
