"""Who may read and who may write which wiki article."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.auth.models import Agent, Role
from helpdesk.kb.models import Article, ArticleStatus, Audience
from helpdesk.policy.rights import may_do
from helpdesk.policy.table import Action

ALL_AUDIENCES = frozenset(a.value for a in Audience)
PUBLIC_ONLY = frozenset({Audience.PUBLIC.value})


def can_edit(session: Session, agent: Agent | None) -> bool:
    """Whether the agent writes and publishes: editors of DP ANEF, SDST, SDANF, and admins."""
    return may_do(session, agent, Action.EDIT_ARTICLES)


def readable_audiences(session: Session, agent: Agent | None) -> frozenset[str]:
    """The audiences whose published articles this reader may see."""
    if agent is None or not agent.active:
        return PUBLIC_ONLY
    if can_edit(session, agent):
        return ALL_AUDIENCES
    if agent.role == Role.REFERENT:
        return frozenset({Audience.PUBLIC.value, Audience.REFERENTS.value})
    return frozenset({Audience.PUBLIC.value, Audience.AGENTS.value})


def can_read(session: Session, agent: Agent | None, article: Article) -> bool:
    """Whether the reader may see the article at all (else it is a 404 for them)."""
    if can_edit(session, agent):
        return True
    return article.status == ArticleStatus.PUBLISHED and article.audience in readable_audiences(
        session, agent
    )


def publicly_visible(article: Article) -> bool:
    """Whether the article belongs in the public help centre."""
    return article.status == ArticleStatus.PUBLISHED and article.audience == Audience.PUBLIC
