"""Agent accounts as administrators manage them: list, create, change, disable, re-enable.

Each change writes its audit row in the same transaction, with what was before and after.
Access is checked by the caller (the policy's ADMINISTER right); the rules here keep an
account coherent (a référent has a site, queues exist) and keep an administrator from
locking themselves out.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Actor, Target, record
from helpdesk.auth.models import Agent, AgentSession, Organisation, OrganisationKind, Role
from helpdesk.auth.service import create_agent
from helpdesk.db import require_id, utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.tickets.models import Queue, QueueMembership

SITE_KINDS = frozenset({OrganisationKind.PREFECTURE.value, OrganisationKind.PLATFORM.value})
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL, MAX_NAME = 254, 200
TEMPORARY_PASSWORD_BYTES = 12  # 16 URL-safe characters
LIST_LIMIT = 500
NOT_FOUND = "Ce compte n'existe pas."


@dataclass(frozen=True)
class Placement:
    """Where an account works: its role, organisation, site (référents) and queues (by code)."""

    role: str
    organisation: str
    site: str | None = None
    queues: tuple[str, ...] = ()

    def as_detail(self) -> dict[str, Any]:
        """The placement as the audit row's detail keeps it."""
        return {
            "role": self.role,
            "organisation": self.organisation,
            "site": self.site,
            "queues": list(self.queues),
        }


@dataclass(frozen=True)
class NewAccount:
    """What an administrator types to create an account."""

    email: str
    full_name: str
    placement: Placement


@dataclass(frozen=True)
class AccountRow:
    """One account as the list shows it."""

    agent: Agent
    organisation: str
    site: str | None
    queues: tuple[str, ...] = field(default_factory=tuple)


def placement_of(session: Session, agent: Agent) -> Placement:
    """Where the account works today."""
    codes = _organisation_codes(session)
    return Placement(
        role=agent.role,
        organisation=codes.get(agent.organisation_id, ""),
        site=codes.get(agent.site_id) if agent.site_id else None,
        queues=tuple(_queue_codes(session, require_id(agent))),
    )


def account(session: Session, agent_id: int) -> Agent:
    """The account with this id, or a 404."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFoundError(NOT_FOUND)
    return agent


def list_accounts(
    session: Session, *, organisation: str = "", role: str = "", active: bool | None = None
) -> list[AccountRow]:
    """The accounts matching the filters (by name), with their organisation, site and queues."""
    query = select(Agent).order_by(col(Agent.full_name), col(Agent.id)).limit(LIST_LIMIT)
    codes = _organisation_codes(session)
    if organisation:
        by_code = {code: id_ for id_, code in codes.items()}
        query = query.where(col(Agent.organisation_id) == by_code.get(organisation, -1))
    if role:
        query = query.where(col(Agent.role) == role)
    if active is not None:
        query = query.where(col(Agent.active) == active)
    agents = list(session.exec(query).all())
    queues = _queues_by_agent(session, [require_id(a) for a in agents])
    return [
        AccountRow(
            agent=a,
            organisation=codes.get(a.organisation_id, ""),
            site=codes.get(a.site_id) if a.site_id else None,
            queues=tuple(queues.get(require_id(a), [])),
        )
        for a in agents
    ]


def create_account(session: Session, *, actor: Actor, new: NewAccount) -> tuple[Agent, str]:
    """Create the account with a temporary password (returned once, never stored in clear)."""
    errors = check_identity(new.email, new.full_name) | check_placement(session, new.placement)
    email = new.email.strip().lower()
    if session.exec(select(Agent.id).where(Agent.email == email)).first() is not None:
        errors["email"] = (
            "Un compte utilise déjà cette adresse électronique : retrouvez-le dans la liste."
        )
    if errors:
        raise ValidationFailedError(next(iter(errors.values())), field_errors=errors)
    password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    agent = create_agent(
        session,
        email=new.email,
        full_name=new.full_name,
        password=password,
        role=Role(new.placement.role),
        organisation_code=new.placement.organisation,
        site_code=new.placement.site,
    )
    _set_queues(session, agent, new.placement.queues)
    detail = {**new.placement.as_detail(), "temporary_password": True}
    record(session, AuditKind.ACCOUNT_CREATED, actor, _target(agent, detail))
    return agent, password


def change_placement(
    session: Session, *, actor: Actor, agent_id: int, placement: Placement
) -> list[AuditKind]:
    """Change the account's role and memberships; the audit kinds written (none: unchanged)."""
    agent = account(session, agent_id)
    errors = check_placement(session, placement)
    if actor.id == agent.id and placement.role != agent.role:
        errors["role"] = (
            "Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur."
        )
    if errors:
        raise ValidationFailedError(next(iter(errors.values())), field_errors=errors)
    before = placement_of(session, agent)
    changed: list[AuditKind] = []
    if placement.role != before.role:
        agent.role = placement.role
        detail: dict[str, Any] = {"before": before.role, "after": placement.role}
        record(session, AuditKind.ROLE_CHANGED, actor, _target(agent, detail))
        changed.append(AuditKind.ROLE_CHANGED)
    if _memberships(placement) != _memberships(before):
        _move(session, agent, placement)
        detail = {"before": _memberships(before), "after": _memberships(placement)}
        record(session, AuditKind.MEMBERSHIP_CHANGED, actor, _target(agent, detail))
        changed.append(AuditKind.MEMBERSHIP_CHANGED)
    return changed


def disable_account(session: Session, *, actor: Actor, agent_id: int) -> int:
    """Disable the account and end its open sessions; how many sessions were ended."""
    agent = account(session, agent_id)
    if actor.id == agent.id:
        raise ValidationFailedError(
            "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre "
            "administrateur."
        )
    if not agent.active:
        return 0
    agent.active = False
    ended = session.execute(
        update(AgentSession)
        .where(col(AgentSession.agent_id) == agent.id, col(AgentSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    count = int(getattr(ended, "rowcount", 0) or 0)
    record(session, AuditKind.ACCOUNT_DISABLED, actor, _target(agent, {"sessions_ended": count}))
    return count


def enable_account(session: Session, *, actor: Actor, agent_id: int) -> bool:
    """Re-enable the account (its old sessions stay ended); whether it was disabled."""
    agent = account(session, agent_id)
    if agent.active:
        return False
    agent.active = True
    record(session, AuditKind.ACCOUNT_ENABLED, actor, _target(agent, {}))
    return True


def check_identity(email: str, full_name: str) -> dict[str, str]:
    """The errors of an e-mail and a name, by field."""
    errors = {}
    if len(email) > MAX_EMAIL or not EMAIL.match(email.strip()):
        errors["email"] = "Saisissez une adresse électronique valide, par exemple nom@ccc.gouv.fr."
    if not full_name.strip() or len(full_name) > MAX_NAME:
        errors["nom"] = f"Saisissez le prénom et le nom de l'agent ({MAX_NAME} caractères au plus)."
    return errors


def check_placement(session: Session, placement: Placement) -> dict[str, str]:
    """The errors of a role, organisation, site and queues, by field."""
    errors = {}
    kinds = {o.code: o.kind for o in session.exec(select(Organisation))}
    if placement.role not in {role.value for role in Role}:
        errors["role"] = "Choisissez un rôle dans la liste."
    if placement.organisation not in kinds:
        errors["organisation"] = "Choisissez une organisation dans la liste."
    if placement.site and kinds.get(placement.site) not in SITE_KINDS:
        errors["site"] = "Choisissez une préfecture ou une plateforme de naturalisation."
    elif placement.role == Role.REFERENT and not placement.site:
        errors["site"] = "Un référent est rattaché à un site : choisissez-le."
    known = set(session.exec(select(Queue.code)).all())
    if not set(placement.queues) <= known:
        errors["files"] = "Choisissez les files dans la liste."
    return errors


def _memberships(placement: Placement) -> dict[str, Any]:
    """The part of a placement that MEMBERSHIP_CHANGED is about."""
    return {
        "organisation": placement.organisation,
        "site": placement.site,
        "queues": sorted(placement.queues),
    }


def _move(session: Session, agent: Agent, placement: Placement) -> None:
    """Set the account's organisation, site and queues."""
    ids = {o.code: o.id for o in session.exec(select(Organisation))}
    agent.organisation_id = ids[placement.organisation]  # type: ignore[assignment]
    agent.site_id = ids[placement.site] if placement.site else None
    _set_queues(session, agent, placement.queues)


def _set_queues(session: Session, agent: Agent, codes: tuple[str, ...]) -> None:
    """Make the account a member of exactly these queues (availability kept where it stays)."""
    agent_id = require_id(agent)
    wanted = {q.code: require_id(q) for q in session.exec(select(Queue)) if q.code in codes}
    session.execute(
        delete(QueueMembership).where(
            col(QueueMembership.agent_id) == agent_id,
            col(QueueMembership.queue_id).not_in(list(wanted.values())),
        )
    )
    present = set(
        session.exec(select(QueueMembership.queue_id).where(QueueMembership.agent_id == agent_id))
    )
    for queue_id in set(wanted.values()) - present:
        session.add(QueueMembership(queue_id=queue_id, agent_id=agent_id))
    session.flush()


def _organisation_codes(session: Session) -> dict[int | None, str]:
    """Every organisation's code, by id."""
    return {o.id: o.code for o in session.exec(select(Organisation))}


def _queue_codes(session: Session, agent_id: int) -> list[str]:
    """The codes of the queues the agent is a member of."""
    return _queues_by_agent(session, [agent_id]).get(agent_id, [])


def _queues_by_agent(session: Session, agent_ids: list[int]) -> dict[int, list[str]]:
    """The queue codes of each of these agents, in one query."""
    if not agent_ids:
        return {}
    rows = session.exec(
        select(QueueMembership.agent_id, Queue.code)
        .join(Queue, col(Queue.id) == col(QueueMembership.queue_id))
        .where(col(QueueMembership.agent_id).in_(agent_ids))
        .order_by(col(Queue.level), col(Queue.code))
    ).all()
    found: dict[int, list[str]] = {}
    for agent_id, code in rows:
        found.setdefault(agent_id, []).append(code)
    return found


def _target(agent: Agent, detail: dict[str, Any]) -> Target:
    """The audit row's object: the account."""
    return Target(object_kind="agent", object_id=str(agent.id), detail=detail)
