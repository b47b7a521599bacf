"""What an authenticated machine client may call: the scopes an administrator gave it."""

from __future__ import annotations

from helpdesk.api_clients.scopes import SCOPES, Caller
from helpdesk.errors import InsufficientScopeError


def may_call(caller: Caller, scope: str) -> bool:
    """Whether the client was given this scope."""
    return scope in caller.scopes


def ensure_scope(caller: Caller, scope: str) -> Caller:
    """The caller if it holds the scope; else a 403 naming the scope to ask for."""
    if not may_call(caller, scope):
        label = SCOPES.get(scope, scope)
        raise InsufficientScopeError(
            f"Le client d'API « {caller.name} » n'a pas l'autorisation « {scope} » "
            f"({label}). Demandez-la à l'administrateur de l'assistance.",
            scope=scope,
        )
    return caller
