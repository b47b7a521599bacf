"""Who calls the API: the bearer key of a request checked against the stored digests.

The check reads in a short transaction of its own, before the request's: on SQLite the
request's writing transaction (and its write lock) must not start before the handler's own
steps that write apart (the rate limiter). The key's last use is written apart as well,
at most every few minutes.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy import update
from sqlmodel import Session, col, select

from helpdesk.api_clients.keys import bearer_key, parse_key
from helpdesk.api_clients.models import ApiClient, ApiClientSecret
from helpdesk.api_clients.scopes import Caller
from helpdesk.db import require_id, session_scope, utcnow
from helpdesk.errors import CredentialsRefusedError
from helpdesk.policy.api_clients import ensure_scope

# last_used_at is written at most this often per key (not one UPDATE per request).
LAST_USE_PRECISION = timedelta(minutes=5)
MSG_MISSING = (
    "Authentification requise : envoyez la clé d'API du client dans l'en-tête "
    "« Authorization: Bearer <clé> ». Une clé se demande à l'administrateur de l'assistance."
)
MSG_INVALID = (
    "Clé d'API invalide : vérifiez la clé envoyée dans l'en-tête Authorization "
    "(elle commence par « anef_ »)."
)
MSG_REVOKED = (
    "Clé d'API refusée : ce client a été révoqué. Demandez une nouvelle clé à "
    "l'administrateur de l'assistance."
)
MSG_EXPIRED = (
    "Clé d'API expirée : elle a été remplacée par une nouvelle clé lors d'un renouvellement. "
    "Utilisez la nouvelle clé."
)


def authenticate(session: Session, *, authorization: str | None, now: datetime) -> Caller:
    """The client whose live key the header carries; CredentialsRefusedError otherwise.

    Reads only; `touch_due` says whether the key's last use should be written."""
    key = bearer_key(authorization)
    if key is None:
        raise CredentialsRefusedError(MSG_MISSING, invalid_token=False)
    parsed = parse_key(key)
    found = (
        session.exec(
            select(ApiClientSecret, ApiClient)
            .join(ApiClient, ApiClient.id == ApiClientSecret.client_id)  # type: ignore[arg-type]
            .where(ApiClientSecret.prefix == parsed.prefix)
        ).first()
        if parsed is not None
        else None
    )
    if parsed is None or found is None:
        raise CredentialsRefusedError(MSG_INVALID)
    secret, client = found
    if not hmac.compare_digest(secret.secret_hash, parsed.digest):
        raise CredentialsRefusedError(MSG_INVALID)
    if client.revoked_at is not None:
        raise CredentialsRefusedError(MSG_REVOKED)
    if secret.expires_at is not None and secret.expires_at <= now:
        raise CredentialsRefusedError(MSG_EXPIRED)
    last = secret.last_used_at
    return Caller(
        client_id=require_id(client),
        name=client.name,
        scopes=frozenset(client.scopes),
        secret_id=require_id(secret),
        touch_due=last is None or now - last >= LAST_USE_PRECISION,
    )


def note_use(session: Session, *, secret_id: int, now: datetime) -> None:
    """Write when a key was last used (one UPDATE, no read)."""
    session.execute(
        update(ApiClientSecret).where(col(ApiClientSecret.id) == secret_id).values(last_used_at=now)
    )


def require_scope(scope: str) -> Callable[..., Caller]:
    """A dependency (run in a worker thread) giving the authenticated caller holding `scope`."""

    def check(request: Request[Any, Any, Any], state: State) -> Caller:
        now = utcnow()
        with session_scope(state.engine, options={"sqlite_begin": "DEFERRED"}) as session:
            caller = authenticate(
                session, authorization=request.headers.get("authorization"), now=now
            )
        if caller.touch_due:
            with session_scope(state.engine) as session:
                note_use(session, secret_id=caller.secret_id, now=now)
        return ensure_scope(caller, scope)

    return check
