"""The audit trail from the web: who acts from which address, and refusals recorded apart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Request

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Actor, Target, agent_actor
from helpdesk.audit.writer import AuditWriter
from helpdesk.auth.models import Agent
from helpdesk.errors import DomainError, RefusedObject
from helpdesk.web.middleware import loggable_path

ANONYMOUS_LABEL = "Anonyme"
SEEN_KEY = "audit_refusals_recorded"  # request.state: the refusals already recorded


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client's address (the proxy's forwarded one when served behind it)."""
    return request.client.host if request.client else "unknown"


def request_actor(request: Request[Any, Any, Any], agent: Agent) -> Actor:
    """The agent acting through this request, with the client's address."""
    return agent_actor(agent, client_address(request))


def audit_writer(request: Request[Any, Any, Any]) -> AuditWriter:
    """The application's writer of audit rows apart from the request."""
    writer: AuditWriter = request.app.state.audit
    return writer


def record_beside(
    request: Request[Any, Any, Any], kind: AuditKind, agent: Agent, target: Target
) -> None:
    """Record what an agent read or took away (a page, a file, an export), apart from the
    request: a read keeps its transaction free of writes."""
    audit_writer(request).record(kind, request_actor(request, agent), target)


def record_refusals(request: Request[Any, Any, Any], refusals: Iterable[RefusedObject]) -> None:
    """Record refusals to see or act on something that exists (never a missing id), apart.

    Called once the request's transaction is over (committed, or rolled back by the refusal),
    from the session's end and from the error handler: each refusal is recorded once."""
    seen: set[int] = request.state.setdefault(SEEN_KEY, set())
    actor: Actor | None = getattr(request.state, "audit_actor", None)
    if actor is None:
        actor = Actor(label=ANONYMOUS_LABEL, address=client_address(request))
    for refused in refusals:
        if id(refused) in seen:
            continue
        seen.add(id(refused))
        audit_writer(request).record(
            AuditKind.ACCESS_REFUSED, actor, _refused_target(request, refused)
        )


def record_refusal(request: Request[Any, Any, Any], error: DomainError) -> None:
    """Record the refusal an error carries, if it is one (from the error handler)."""
    if error.refused is not None:
        record_refusals(request, [error.refused])


def _refused_target(request: Request[Any, Any, Any], refused: RefusedObject) -> Target:
    """The audit row's object of a refusal: what, which action, and the request's shape."""
    return Target(
        ticket_id=refused.ticket_id,
        object_kind=refused.kind,
        object_id=refused.id,
        detail={
            "status": refused.status,
            "action": str(refused.action),
            "method": request.method,
            "path": loggable_path(request.url.path),
        },
    )
