"""The domain error type and its subclasses; app.py maps each to an HTTP status once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RefusedObject:
    """What an access refusal was about, when it exists (the audit trail records it)."""

    kind: str  # "ticket", "page", "article"...
    id: str
    status: int  # 404 (unseen: looks missing) or 403
    ticket_id: int | None = None
    action: str = ""  # the policy's action that was refused


class DomainError(Exception):
    """A refusal that tells the user what happened and what to do."""

    status_code = 400
    title = "Demande impossible"

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, str] | None = None,
        refused: RefusedObject | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        self.refused = refused  # set by the policy on a refusal to see or act on what exists


class NotFoundError(DomainError):
    """The thing does not exist, or the user may not know it exists."""

    status_code = 404
    title = "Page introuvable"


class PermissionDeniedError(DomainError):
    """The user is known but may not do this."""

    status_code = 403
    title = "Accès refusé"


class ValidationFailedError(DomainError):
    """The input is not acceptable; nothing was changed."""

    status_code = 422
    title = "Données à corriger"


class InvalidTransitionError(DomainError):
    """The move (status change, hand-over) is not allowed from the current state."""

    status_code = 422
    title = "Action impossible"


class StaleVersionError(DomainError):
    """Someone else changed the ticket since it was loaded."""

    status_code = 409
    title = "Modification concurrente"


class TooManyAttemptsError(DomainError):
    """Too many attempts in a short time; try again later."""

    status_code = 429
    title = "Trop de tentatives"

    def __init__(
        self,
        message: str,
        *,
        retry_after: int = 60,
        limit: int | None = None,
        window: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit  # the attempts allowed per window (RateLimit-* headers)
        self.window = window


class SignInRequiredError(DomainError):
    """The page needs a signed-in agent."""

    status_code = 401
    title = "Connexion requise"


BEARER_REALM = 'Bearer realm="assistance-anef"'


class CredentialsRefusedError(DomainError):
    """A machine client's key is missing, unknown, revoked or expired (API only)."""

    status_code = 401
    title = "Authentification refusée"

    def __init__(self, message: str, *, invalid_token: bool = True) -> None:
        super().__init__(message)
        # RFC 6750: no error code when no credential was sent at all.
        self.challenge = BEARER_REALM + (', error="invalid_token"' if invalid_token else "")


class InsufficientScopeError(PermissionDeniedError):
    """A machine client's key is good but was not given the scope this call needs."""

    def __init__(self, message: str, *, scope: str) -> None:
        super().__init__(message)
        self.challenge = f'{BEARER_REALM}, error="insufficient_scope", scope="{scope}"'
