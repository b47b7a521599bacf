"""Rights that are not about one ticket: pages, incidents, calls, the point bimensuel."""

from __future__ import annotations

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Organisation, Role
from helpdesk.errors import NotFoundError, PermissionDeniedError, RefusedObject
from helpdesk.incidents.audience import Target, concerns
from helpdesk.policy.refusals import noted
from helpdesk.policy.table import ORGANISATION_KINDS, Action, Scope, scope_of
from helpdesk.policy.tickets import organisation_kind

REFUSALS: dict[Action, str] = {
    Action.TAKE_CALL: "Les appels des usagers sont pris par le centre de contact citoyen.",
    Action.DECLARE_INCIDENT: (
        "Les incidents et les notes de mise en production sont gérés par les gestionnaires "
        "d'incidents de la DP ANEF. Demandez-leur de déclarer ou de mettre à jour l'incident."
    ),
    Action.PUBLISH_NOTICE: (
        "Les notes de mise en production sont publiées par les gestionnaires d'incidents "
        "de la DP ANEF."
    ),
    Action.ATTEND_REVIEW: (
        "Le point bimensuel est réservé au centre de contact, à la DP ANEF, au SDST "
        "et aux référents pour leur site."
    ),
    Action.EXPORT: "Cet export est réservé aux participants du point bimensuel.",
    Action.HOLD_REVIEW: (
        "Le point bimensuel est noté comme tenu par un superviseur, un gestionnaire "
        "d'incidents ou un administrateur."
    ),
    Action.EDIT_ARTICLES: (
        "La rédaction des fiches est réservée aux rédacteurs de la DP ANEF, du SDST et du SDANF."
    ),
    Action.MANAGE_CANNED: "Les éléments de langage sont gérés par les superviseurs.",
    Action.ADMINISTER: (
        "Cette page est réservée aux administrateurs. "
        "Demandez à votre administrateur si vous pensez en avoir besoin."
    ),
    Action.REPORT_AS_SITE: (
        "Cet espace est réservé aux référents des préfectures et des plateformes de naturalisation."
    ),
    Action.SHARE_VIEWS: (
        "Seuls les superviseurs partagent une vue avec une file. "
        "Enregistrez-la pour vous, ou demandez à votre superviseur de la partager."
    ),
    Action.PROTECT_DATA: (
        "Les demandes des usagers sur leurs données personnelles sont traitées par les "
        "superviseurs de la DP ANEF et les administrateurs. Transmettez-leur la demande."
    ),
}
DEFAULT_REFUSAL = (
    "Cette page est réservée à d'autres profils. "
    "Demandez à votre administrateur si vous pensez en avoir besoin."
)
# Pages that do not exist at all for a role (référents have their own space): a 404.
HIDDEN = frozenset({Action.USE_CONSOLE, Action.READ_INCIDENTS})


def may_read_notice(session: Session, agent: Agent, target: Target) -> bool:
    """Whether a release note or incident notice is for this person: a référent reads those
    aimed at its site (and procedures), the chain's agents read them all."""
    if not agent.active:
        return False
    if agent.role != Role.REFERENT:
        return True
    site = session.get(Organisation, agent.site_id) if agent.site_id else None
    return site is not None and concerns(target, site_code=site.code, site_kind=site.kind)


def may_do(session: Session, agent: Agent | None, action: Action) -> bool:
    """Whether the person holds this right at all (for some ticket, or for the page)."""
    if agent is None or not agent.active:
        return False
    if scope_of(agent.role, action) == Scope.NONE:
        return False
    kinds = ORGANISATION_KINDS.get(action)
    if kinds is not None and agent.role != Role.ADMIN:
        return organisation_kind(session, agent) in kinds
    return True


def ensure(session: Session, agent: Agent | None, action: Action) -> Agent:
    """The person if they hold the right; else a 403 saying who does (404 for hidden pages)."""
    if agent is None or not may_do(session, agent, action):
        status = 404 if action in HIDDEN else 403
        refused = noted(session, RefusedObject("page", action.value, status, action=action))
        if action in HIDDEN:
            raise NotFoundError(
                "Cette page n'existe pas ou ne vous est pas accessible.", refused=refused
            )
        raise PermissionDeniedError(REFUSALS.get(action, DEFAULT_REFUSAL), refused=refused)
    return agent


def holders_of(session: Session, action: Action) -> list[Agent]:
    """The active agents who hold this right (e.g. the administrators to alert)."""
    roles = [role.value for role in Role if scope_of(role, action) != Scope.NONE]
    candidates = session.exec(
        select(Agent).where(col(Agent.active), col(Agent.role).in_(roles)).order_by(col(Agent.id))
    ).all()
    return [agent for agent in candidates if may_do(session, agent, action)]
