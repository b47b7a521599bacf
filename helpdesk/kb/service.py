"""Wiki operations: create, edit, publish, archive, restore, feedback; every save is a revision."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

import helpdesk.kb.tasks  # noqa: F401  (registers the refresh job)
from helpdesk.auth.models import Agent, Organisation
from helpdesk.db import require_id, utcnow
from helpdesk.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.jobs.registry import enqueue_job
from helpdesk.kb.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    FeedbackKind,
)
from helpdesk.kb.schemas import MAX_COMMENT, ArticleContent, check_slug
from helpdesk.kb.tasks import REFRESH_JOB
from helpdesk.policy.articles import can_edit, can_read, publicly_visible

DEFAULT_OWNER = "dp-anef"


def create_article(
    session: Session,
    *,
    slug: str,
    content: ArticleContent,
    actor: Agent | None,
    comment: str = "",
    status: ArticleStatus = ArticleStatus.DRAFT,
    owner_code: str | None = None,
    refresh: bool = True,
) -> Article:
    """Write a new article (a draft unless told otherwise) and its first revision."""
    _ensure_editor(session, actor)
    slug = check_slug(slug)
    content = content.cleaned()
    if session.exec(select(Article.id).where(Article.slug == slug)).first() is not None:
        raise ValidationFailedError(
            "Un article utilise déjà cette adresse.",
            field_errors={"slug": "Cette adresse est déjà prise : choisissez-en une autre."},
        )
    now = utcnow()
    article = Article(
        slug=slug,
        **_fields(content),
        status=status,
        owner_id=_owner_id(session, actor, owner_code),
        created_at=now,
        updated_at=now,
        published_at=now if status == ArticleStatus.PUBLISHED else None,
    )
    session.add(article)
    session.flush()
    _add_revision(session, article, content, actor, comment)
    if refresh and status == ArticleStatus.PUBLISHED:
        _refresh(session, [article])
    return article


def update_article(
    session: Session,
    *,
    article_id: int,
    content: ArticleContent,
    actor: Agent | None,
    comment: str = "",
    expected_revision: int | None = None,
    refresh: bool = True,
) -> ArticleRevision | None:
    """Save new content as a new revision; None when nothing changed."""
    _ensure_editor(session, actor)
    article = _load(session, article_id)
    if expected_revision is not None and expected_revision != article.revision_number:
        raise StaleVersionError(
            "Quelqu'un a modifié cet article pendant que vous l'écriviez. Rouvrez l'article "
            "pour voir sa dernière version, puis reportez-y vos changements."
        )
    content = content.cleaned()
    if content == ArticleContent.of(article):
        return None
    for name, value in _fields(content).items():
        setattr(article, name, value)
    revision = _add_revision(session, article, content, actor, comment)
    if refresh and article.status == ArticleStatus.PUBLISHED:
        _refresh(session, [article])
    return revision


def publish(session: Session, *, article_id: int, actor: Agent | None) -> Article:
    """Put the article online for its audience."""
    return set_status(session, article_id=article_id, status=ArticleStatus.PUBLISHED, actor=actor)


def archive(session: Session, *, article_id: int, actor: Agent | None) -> Article:
    """Withdraw the article from readers and suggestions; it stays in the history."""
    return set_status(session, article_id=article_id, status=ArticleStatus.ARCHIVED, actor=actor)


def restore_revision(
    session: Session, *, article_id: int, number: int, actor: Agent | None
) -> ArticleRevision | None:
    """Bring back an old revision's content as a new revision (None if already current)."""
    _ensure_editor(session, actor)
    old = session.exec(
        select(ArticleRevision).where(
            ArticleRevision.article_id == article_id, ArticleRevision.number == number
        )
    ).first()
    if old is None:
        raise NotFoundError("Cette révision n'existe pas.")
    return update_article(
        session,
        article_id=article_id,
        content=ArticleContent.of(old),
        actor=actor,
        comment=f"Restauration de la révision {number}",
    )


def record_feedback(
    session: Session,
    *,
    article_id: int,
    kind: FeedbackKind,
    agent: Agent | None = None,
    ticket_id: int | None = None,
) -> ArticleFeedback:
    """Record a reader's verdict (public articles) or an agent's use of an article."""
    article = _load(session, article_id)
    if kind == FeedbackKind.USED_IN_REPLY:
        if agent is None or not can_read(session, agent, article):
            raise NotFoundError("Cet article n'existe pas ou ne vous est pas accessible.")
    elif not publicly_visible(article):
        raise NotFoundError("Cet article n'existe pas ou n'est plus en ligne.")
    feedback = ArticleFeedback(
        article_id=article_id,
        kind=kind,
        agent_id=agent.id if agent else None,
        ticket_id=ticket_id,
    )
    session.add(feedback)
    session.flush()
    return feedback


def set_status(
    session: Session,
    *,
    article_id: int,
    status: ArticleStatus,
    actor: Agent | None,
    refresh: bool = True,
) -> Article:
    """Change the status; the live indexes learn about it through the refresh job."""
    _ensure_editor(session, actor)
    article = _load(session, article_id)
    if article.status == status:
        return article
    article.status = status
    article.updated_at = utcnow()
    if status == ArticleStatus.PUBLISHED:
        article.published_at = article.updated_at
    if refresh:
        _refresh(session, [article])
    return article


def _add_revision(
    session: Session,
    article: Article,
    content: ArticleContent,
    actor: Agent | None,
    comment: str,
) -> ArticleRevision:
    """Append the next revision and make it the article's current one."""
    article.revision_number += 1
    revision = ArticleRevision(
        article_id=require_id(article),
        number=article.revision_number,
        **_fields(content),
        author_id=actor.id if actor else None,
        comment=" ".join(comment.split())[:MAX_COMMENT],
    )
    session.add(revision)
    session.flush()
    article.current_revision_id = revision.id
    article.updated_at = revision.created_at
    session.flush()
    return revision


def refresh_articles(session: Session, *, articles: list[Article]) -> None:
    """Queue one refresh of the live indexes for these articles (it runs after commit)."""
    _refresh(session, articles)


def _refresh(session: Session, articles: list[Article]) -> None:
    """Enqueue the refresh job in the caller's transaction."""
    ids = [require_id(a) for a in articles]
    if ids:
        enqueue_job(session, REFRESH_JOB, article_ids=ids)


def _fields(content: ArticleContent) -> dict[str, Any]:
    """Column values of a content."""
    return {
        "title": content.title,
        "body": content.body,
        "audience": content.audience,
        "language": content.language,
        "procedures": list(content.procedures),
        "tags": list(content.tags),
    }


def _load(session: Session, article_id: int) -> Article:
    """The article, or a 404."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFoundError("Cet article n'existe pas.")
    return article


def _ensure_editor(session: Session, actor: Agent | None) -> None:
    """Only editors write; None is the system (imports)."""
    if actor is not None and not can_edit(session, actor):
        raise PermissionDeniedError(
            "Seuls les rédacteurs de la DP ANEF, de la SDST et de la SDANF modifient la base "
            "de connaissances. Proposez votre correction à l'un d'eux."
        )


def _owner_id(session: Session, actor: Agent | None, owner_code: str | None) -> int:
    """The owning organisation: the one named, else the author's, else DP ANEF."""
    if owner_code is None and actor is not None:
        return actor.organisation_id
    code = owner_code or DEFAULT_OWNER
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        raise ValidationFailedError(f"Organisation inconnue : {code}.")
    return require_id(organisation)
