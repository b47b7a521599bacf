"""Declaring, rotating and revoking machine clients; each change writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.api_clients.keys import MIN_SECRET_LENGTH, NewKey, generate_key, parse_key
from helpdesk.api_clients.models import ApiClient, ApiClientSecret
from helpdesk.api_clients.scopes import SCOPES
from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Actor, Target, record
from helpdesk.db import require_id, utcnow
from helpdesk.errors import InvalidTransitionError, NotFoundError, ValidationFailedError

NAME_MIN, NAME_MAX = 3, 100
MAX_OVERLAP_DAYS = 90
OBJECT_KIND = "api_client"
MSG_NOT_CREATED = "Le client d'API n'a pas été créé : corrigez les champs indiqués."
MSG_NOT_FOUND = "Ce client d'API n'existe pas. Revenez à la liste des clients d'API."
MSG_REVOKED = (
    "Ce client d'API est révoqué : ses clés ne fonctionnent plus et ne peuvent plus être "
    "renouvelées. Déclarez un nouveau client si le partenaire doit de nouveau appeler l'API."
)


@dataclass(frozen=True)
class ClientView:
    """A client with its secrets, newest first, as the administration page lists them."""

    client: ApiClient
    secrets: list[ApiClientSecret]

    def live_secrets(self, now: datetime) -> list[ApiClientSecret]:
        """The secrets that still open the API (none once the client is revoked)."""
        if self.client.revoked_at is not None:
            return []
        return [s for s in self.secrets if s.expires_at is None or s.expires_at > now]


def list_clients(session: Session) -> list[ClientView]:
    """Every client, active ones first, then by name, each with its secrets."""
    clients = session.exec(
        select(ApiClient).order_by(col(ApiClient.revoked_at).is_not(None), col(ApiClient.name))
    ).all()
    secrets = session.exec(
        select(ApiClientSecret).order_by(col(ApiClientSecret.created_at).desc())
    ).all()
    by_client: dict[int, list[ApiClientSecret]] = {}
    for secret in secrets:
        by_client.setdefault(secret.client_id, []).append(secret)
    return [ClientView(client, by_client.get(require_id(client), [])) for client in clients]


def get_client(session: Session, client_id: int) -> ClientView:
    """One client with its secrets; NotFoundError when there is none."""
    client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFoundError(MSG_NOT_FOUND)
    secrets = session.exec(
        select(ApiClientSecret)
        .where(ApiClientSecret.client_id == client_id)
        .order_by(col(ApiClientSecret.created_at).desc())
    ).all()
    return ClientView(client, list(secrets))


def check_client(session: Session, *, name: str, scopes: Iterable[str]) -> dict[str, str]:
    """The errors of a new client's name and scopes, by field (empty when acceptable)."""
    errors: dict[str, str] = {}
    name = name.strip()
    chosen = list(scopes)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        errors["name"] = f"Le nom comporte de {NAME_MIN} à {NAME_MAX} caractères."
    elif _name_taken(session, name):
        errors["name"] = "Un client d'API porte déjà ce nom : choisissez-en un autre."
    if not chosen:
        errors["scopes"] = "Cochez au moins une autorisation."
    elif any(scope not in SCOPES for scope in chosen):
        errors["scopes"] = "Une autorisation demandée n'existe pas : cochez parmi la liste."
    return errors


def create_client(
    session: Session,
    *,
    name: str,
    scopes: Iterable[str],
    actor: Actor,
    key: str | None = None,
) -> tuple[ApiClient, str]:
    """Declare a client and give it its first key (returned once, stored hashed).

    `key` registers a key made elsewhere (a deployment's secret store, the demo); it must
    have the generated keys' form and length."""
    asked = list(scopes)
    errors = check_client(session, name=name, scopes=asked)
    chosen = [scope for scope in SCOPES if scope in asked]
    new_key = generate_key() if key is None else parse_key(key)
    if new_key is None:
        errors["key"] = (
            f"La clé fournie n'a pas la forme anef_<12 caractères hexadécimaux>_<au moins "
            f"{MIN_SECRET_LENGTH} caractères>."
        )
    if errors or new_key is None:
        raise ValidationFailedError(MSG_NOT_CREATED, field_errors=errors)
    client = ApiClient(name=name.strip(), scopes=chosen, created_by_label=actor.label)
    try:
        with session.begin_nested():
            session.add(client)
            session.flush()
            _add_secret(session, client_id=require_id(client), new_key=new_key)
    except IntegrityError as error:  # the same name (or key) declared at the same moment
        raise ValidationFailedError(
            "Le client d'API n'a pas été créé : ce nom ou cette clé existe déjà.",
            field_errors={"name": "Un client d'API porte déjà ce nom : choisissez-en un autre."},
        ) from error
    detail = {"name": client.name, "scopes": chosen, "prefix": new_key.prefix}
    _audit(session, AuditKind.API_CLIENT_CREATED, actor, client, detail)
    return client, new_key.key


def rotate_client(
    session: Session, *, client_id: int, overlap: timedelta, actor: Actor
) -> tuple[ApiClient, str, datetime]:
    """Give the client a new key; its current keys keep working until now + overlap.

    Answers the client, the new key (shown once) and when the previous keys stop."""
    view = get_client(session, client_id)
    client = view.client
    if client.revoked_at is not None:
        raise InvalidTransitionError(MSG_REVOKED)
    if not timedelta(0) <= overlap <= timedelta(days=MAX_OVERLAP_DAYS):
        raise ValidationFailedError(
            "La durée de recouvrement n'est pas valide.",
            field_errors={"overlap_days": f"Indiquez de 0 à {MAX_OVERLAP_DAYS} jours."},
        )
    now = utcnow()
    old_until = now + overlap
    for secret in view.live_secrets(now):
        if secret.expires_at is None or secret.expires_at > old_until:
            secret.expires_at = old_until
            session.add(secret)
    new_key = generate_key()
    _add_secret(session, client_id=client_id, new_key=new_key)
    detail = {"prefix": new_key.prefix, "previous_keys_until": old_until.isoformat()}
    _audit(session, AuditKind.API_CLIENT_ROTATED, actor, client, detail)
    return client, new_key.key, old_until


def revoke_client(session: Session, *, client_id: int, actor: Actor) -> ApiClient:
    """Revoke the client: every one of its keys is refused from now on."""
    client = get_client(session, client_id).client
    if client.revoked_at is not None:
        raise InvalidTransitionError("Ce client d'API était déjà révoqué : rien n'a changé.")
    client.revoked_at = utcnow()
    client.revoked_by_label = actor.label[:200]
    session.add(client)
    _audit(session, AuditKind.API_CLIENT_REVOKED, actor, client, {"name": client.name})
    return client


def client_named(session: Session, name: str) -> ApiClient | None:
    """The client with this name (any case), if any."""
    return session.exec(
        select(ApiClient).where(func.lower(ApiClient.name) == name.strip().lower())
    ).first()


def _name_taken(session: Session, name: str) -> bool:
    """Whether another client already has this name (any case)."""
    return client_named(session, name) is not None


def _add_secret(session: Session, *, client_id: int, new_key: NewKey) -> None:
    """Store a key's prefix and digest for the client."""
    session.add(
        ApiClientSecret(client_id=client_id, prefix=new_key.prefix, secret_hash=new_key.digest)
    )
    session.flush()


def _audit(
    session: Session, kind: AuditKind, actor: Actor, client: ApiClient, detail: dict[str, Any]
) -> None:
    """The audit row of a change to a client, in the change's transaction."""
    target = Target(object_kind=OBJECT_KIND, object_id=str(require_id(client)), detail=detail)
    record(session, kind, actor, target)
