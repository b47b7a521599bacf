"""Writing the audit trail: in the action's transaction, or in one of its own.

An action's audit row goes in the action's transaction (`record`): both are kept or neither.
A refusal or a failed sign-in rolls the request back, so its row is written apart
(`record_apart`), in a short transaction of its own that nothing can undo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Agent
from helpdesk.db import session_scope

log = structlog.get_logger(__name__)

SYSTEM_LABEL = "Système"


@dataclass(frozen=True)
class Actor:
    """Who acted: an agent (id and name), an API client, or the system; and from where."""

    id: int | None = None
    label: str = SYSTEM_LABEL
    address: str = ""


def agent_actor(agent: Agent, address: str = "") -> Actor:
    """The actor of an agent's action from this client address (its name at the time)."""
    return Actor(id=agent.id, label=agent.full_name, address=address)


@dataclass(frozen=True)
class Target:
    """What the event is about: a ticket, and/or another object by kind and id."""

    ticket_id: int | None = None
    object_kind: str = ""
    object_id: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def ticket_target(ticket_id: int | None, **detail: Any) -> Target:
    """A target that is one ticket (with some detail)."""
    return Target(
        ticket_id=ticket_id, object_kind="ticket", object_id=str(ticket_id), detail=detail
    )


def _row(kind: AuditKind, actor: Actor, target: Target) -> AuditEvent:
    """The row for one event (labels and addresses cut to their columns)."""
    return AuditEvent(
        kind=kind.value,
        actor_id=actor.id,
        actor_label=actor.label[:200],
        address=actor.address[:64],
        ticket_id=target.ticket_id,
        object_kind=target.object_kind[:40],
        object_id=str(target.object_id)[:80],
        detail=dict(target.detail),
    )


def record(session: Session, kind: AuditKind, actor: Actor, target: Target | None = None) -> None:
    """Add an audit row to the caller's transaction (kept only if the action is)."""
    session.add(_row(kind, actor, target or Target()))


def record_apart(
    engine: Engine, kind: AuditKind, actor: Actor, target: Target | None = None
) -> None:
    """Write an audit row in a transaction of its own (refusals, failed sign-ins).

    The trail must never turn a refusal into a server error: a failure to write is logged."""
    try:
        with session_scope(engine) as session:
            session.add(_row(kind, actor, target or Target()))
    except Exception:
        log.exception("audit_write_failed", kind=kind.value)
