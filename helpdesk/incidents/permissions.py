"""Who records incidents and publishes notices, and who attends the point bimensuel."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.auth.models import Agent, Organisation, Role
from helpdesk.errors import PermissionDeniedError

REVIEW_ORGANISATIONS = frozenset({"dp-anef", "sdst", "ccc"})


def organisation_code(session: Session, agent: Agent) -> str:
    """The code of the agent's organisation."""
    organisation = session.get(Organisation, agent.organisation_id)
    return organisation.code if organisation else ""


def can_manage_incidents(session: Session, agent: Agent) -> bool:
    """DP ANEF agents and administrators record incidents and publish release notes."""
    if not agent.active or agent.role == Role.REFERENT:
        return False
    return agent.role == Role.ADMIN or organisation_code(session, agent) == "dp-anef"


def can_review(session: Session, agent: Agent) -> bool:
    """DP ANEF, SDST and the CCC (and administrators) hold the point bimensuel."""
    if not agent.active or agent.role == Role.REFERENT:
        return False
    return agent.role == Role.ADMIN or _in_review(session, agent)


def ensure_incident_manager(session: Session, agent: Agent) -> Agent:
    """The agent if they may manage incidents; otherwise a clear refusal."""
    if not can_manage_incidents(session, agent):
        raise PermissionDeniedError(
            "Les incidents et les notes de mise en production sont gérés par la DP ANEF."
        )
    return agent


def ensure_reviewer(session: Session, agent: Agent) -> Agent:
    """The agent if they attend the point bimensuel; otherwise a clear refusal."""
    if not can_review(session, agent):
        raise PermissionDeniedError(
            "Le point bimensuel est réservé à la DP ANEF, au SDST et au centre de contact."
        )
    return agent


def _in_review(session: Session, agent: Agent) -> bool:
    """Whether the agent's organisation attends the point bimensuel."""
    return organisation_code(session, agent) in REVIEW_ORGANISATIONS
