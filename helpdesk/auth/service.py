"""Sign-in, server-side sessions, sign-out and agent creation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Actor, Target, agent_actor, record
from helpdesk.audit.writer import AuditWriter
from helpdesk.auth.models import Agent, AgentSession, Organisation, Role, SignInFailure
from helpdesk.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.errors import TooManyAttemptsError, ValidationFailedError

BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."
UNKNOWN_ACCOUNT = "Compte inconnu"  # the audit actor of a sign-in with an unknown e-mail
# The per-address limit is wider: several agents may share one office address.
ADDRESS_FAILURE_FACTOR = 4
TOUCH_INTERVAL = timedelta(seconds=60)


def token_hash(token: str) -> str:
    """The SHA-256 of a secret token, as stored in the database."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    session: Session,
    *,
    settings: Settings,
    email: str,
    password: str,
    client_address: str,
    apart: AuditWriter | None = None,
) -> tuple[Agent, str] | None:
    """Check the credentials and open a new session: (agent, token), or None when refused.

    A refusal records the failure (and its audit row) and returns rather than raising, so
    that the caller commits it: the failures are what the throttle counts. A throttled
    attempt rolls back: its audit row goes through `apart`.
    """
    email = email.strip().lower()
    # The account is throttled per client address: failures from elsewhere cannot lock an
    # agent out; one address guessing across accounts meets its own, higher ceiling.
    keys = [
        token_hash(f"email:{email}|addr:{client_address}"),
        token_hash(f"addr:{client_address}"),
    ]
    agent = session.exec(select(Agent).where(func.lower(Agent.email) == email)).first()
    try:
        _refuse_when_throttled(session, settings, keys)
    except TooManyAttemptsError:
        if apart is not None:
            apart.record(*_failure(agent, client_address, "throttled"))
        raise
    password_ok = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not password_ok or not agent.active:
        for key in keys:
            session.add(SignInFailure(key_hash=key))
        reason = "unknown_account" if agent is None else "wrong_password"
        if agent is not None and password_ok:
            reason = "account_disabled"
        record(session, *_failure(agent, client_address, reason))
        return None
    if needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    session.execute(delete(SignInFailure).where(col(SignInFailure.key_hash) == keys[0]))
    agent.last_sign_in_at = utcnow()
    record(session, AuditKind.SIGN_IN, agent_actor(agent, client_address), _agent_target(agent))
    return agent, open_session(session, agent=agent)


def _failure(agent: Agent | None, address: str, reason: str) -> tuple[AuditKind, Actor, Target]:
    """The audit row of a refused sign-in (the typed e-mail is not kept: it may be a password)."""
    if agent is None:
        actor = Actor(label=UNKNOWN_ACCOUNT, address=address)
        return AuditKind.SIGN_IN_FAILED, actor, Target(detail={"reason": reason})
    target = Target(object_kind="agent", object_id=str(agent.id), detail={"reason": reason})
    return AuditKind.SIGN_IN_FAILED, agent_actor(agent, address), target


def _agent_target(agent: Agent, **detail: object) -> Target:
    """A target that is an agent's account."""
    return Target(object_kind="agent", object_id=str(agent.id), detail=dict(detail))


def open_session(session: Session, *, agent: Agent) -> str:
    """Create a fresh session for the agent and return its secret token."""
    token = secrets.token_urlsafe(32)
    session.add(AgentSession(token_hash=token_hash(token), agent_id=agent.id))  # type: ignore[arg-type]
    return token


@dataclass(frozen=True)
class LiveSession:
    """A valid session: its agent, and whether its activity is due for a refresh."""

    agent: Agent
    session_id: int
    touch_due: bool


@dataclass(frozen=True)
class ExpiredSession:
    """A session presented after its idle or absolute timeout (not revoked yet)."""

    session_id: int
    agent_id: int
    idle: bool  # the idle timeout ran out (else the absolute lifetime)


def resolve_session(
    session: Session, *, settings: Settings, token: str | None
) -> LiveSession | ExpiredSession | None:
    """The live session of a token, an expired one, or None if revoked or unknown. Writes
    nothing: the caller refreshes the activity out of the request (see helpdesk.auth.activity)
    and ends an expired session apart (`end_expired_session`)."""
    if not token:
        return None
    row = session.exec(
        select(AgentSession).where(AgentSession.token_hash == token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None or row.id is None:
        return None
    now = utcnow()
    idle = now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    absolute = now - row.created_at > timedelta(hours=settings.session_absolute_hours)
    if idle or absolute:  # refused from now on, purged by the maintenance job
        return ExpiredSession(session_id=row.id, agent_id=row.agent_id, idle=idle)
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        return None
    return LiveSession(
        agent=agent, session_id=row.id, touch_due=now - row.last_seen_at > TOUCH_INTERVAL
    )


def end_expired_session(session: Session, *, expired: ExpiredSession, address: str) -> None:
    """Revoke an expired session when it is first presented again, and record its expiry
    once (later presentations find it revoked)."""
    ended = session.execute(
        update(AgentSession)
        .where(col(AgentSession.id) == expired.session_id, col(AgentSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    agent = session.get(Agent, expired.agent_id)
    if getattr(ended, "rowcount", 0) != 1 or agent is None:
        return
    timeout = "idle" if expired.idle else "absolute"
    record(
        session,
        AuditKind.SESSION_EXPIRED,
        agent_actor(agent, address),
        Target(
            object_kind="session", object_id=str(expired.session_id), detail={"timeout": timeout}
        ),
    )


def sign_out(
    session: Session, *, token: str | None, address: str = "", reason: str = "sign_out"
) -> None:
    """End the session of this token; the cookie no longer works afterwards.

    `reason`: "sign_out" (the button), "new_sign_in" (signing in again ends the old one)."""
    if not token:
        return
    row = session.exec(
        select(AgentSession).where(AgentSession.token_hash == token_hash(token))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        agent = session.get(Agent, row.agent_id)
        if agent is not None:
            target = Target(object_kind="session", object_id=str(row.id), detail={"reason": reason})
            record(session, AuditKind.SIGN_OUT, agent_actor(agent, address), target)


def create_agent(
    session: Session,
    *,
    email: str,
    full_name: str,
    password: str,
    role: Role,
    organisation_code: str,
    site_code: str | None = None,
) -> Agent:
    """Create an agent after checking the password, e-mail and organisation."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailedError(
            f"Le mot de passe doit comporter au moins {MIN_PASSWORD_LENGTH} caractères."
        )
    if session.exec(select(Agent).where(Agent.email == email)).first() is not None:
        raise ValidationFailedError("Un agent utilise déjà cette adresse électronique.")
    organisation = _organisation(session, organisation_code)
    site = _organisation(session, site_code) if site_code else None
    agent = Agent(
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        site_id=site.id if site else None,
    )
    session.add(agent)
    session.flush()
    return agent


def _organisation(session: Session, code: str) -> Organisation:
    """The organisation with this code, or a clear error."""
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        raise ValidationFailedError(f"L'organisation « {code} » n'existe pas.")
    return organisation


def _refuse_when_throttled(session: Session, settings: Settings, keys: list[str]) -> None:
    """Answer 429 when an e-mail or an address failed too often recently."""
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    limits = [settings.login_max_failures, settings.login_max_failures * ADDRESS_FAILURE_FACTOR]
    for key, limit in zip(keys, limits, strict=True):
        count = session.exec(
            select(func.count())
            .select_from(SignInFailure)
            .where(SignInFailure.key_hash == key, col(SignInFailure.at) >= since)
        ).one()
        if count >= limit:
            minutes = max(1, settings.login_window_seconds // 60)
            raise TooManyAttemptsError(
                "Trop de tentatives de connexion infructueuses. "
                f"Patientez {minutes} minutes avant de réessayer, ou demandez à votre "
                "administrateur de réinitialiser votre mot de passe.",
                retry_after=settings.login_window_seconds,
                limit=limit,
                window=settings.login_window_seconds,
            )
