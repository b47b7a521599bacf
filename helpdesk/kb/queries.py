"""Read side of the wiki: readable articles, lists, search, history and diffs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from helpdesk.auth.models import Agent, Organisation
from helpdesk.errors import NotFoundError
from helpdesk.kb.index import LiveIndex, suggest
from helpdesk.kb.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    Audience,
)
from helpdesk.kb.schemas import ArticleContent
from helpdesk.policy.articles import can_edit, can_read, publicly_visible, readable_audiences
from knowledge_base.diff import RevisionDiff, diff_docs

ArticleSelect = SelectOfScalar[Article]
LIST_LIMIT = 300
SEARCH_LIMIT = 20
NOT_FOUND = "Cet article n'existe pas ou ne vous est pas accessible."


@dataclass(frozen=True)
class ListFilters:
    """The filters of the article list."""

    q: str = ""
    audience: str = ""
    language: str = ""
    status: str = ""
    procedure: str = ""


@dataclass(frozen=True)
class HistoryRow:
    """A revision with its author's name."""

    revision: ArticleRevision
    author: str


def readable_article(session: Session, *, agent: Agent | None, slug: str) -> Article:
    """The article if this reader may see it; otherwise the same 404 as a missing one."""
    article = session.exec(select(Article).where(Article.slug == slug)).first()
    if article is None or not can_read(session, agent, article):
        raise NotFoundError(NOT_FOUND)
    return article


def editable_article(session: Session, *, agent: Agent, slug: str) -> Article:
    """The article for an editor; a 404 for everyone else (history, diff, edit)."""
    article = readable_article(session, agent=agent, slug=slug)
    if not can_edit(session, agent):
        raise NotFoundError(NOT_FOUND)
    return article


def public_article(session: Session, *, slug: str) -> Article:
    """A published public article, or a 404."""
    article = session.exec(select(Article).where(Article.slug == slug)).first()
    if article is None or not publicly_visible(article):
        raise NotFoundError("Cette page n'existe pas ou n'est plus en ligne.")
    return article


def list_articles(
    session: Session, *, agent: Agent, filters: ListFilters, live: LiveIndex
) -> list[Article]:
    """The articles this reader may see, filtered; a search ranks them by the engine."""
    query = select(Article)
    if not can_edit(session, agent):
        query = query.where(
            Article.status == ArticleStatus.PUBLISHED,
            col(Article.audience).in_(readable_audiences(session, agent)),
        )
    query = _filtered(query, filters)
    if filters.q.strip():
        found = _search(session, agent=agent, query=query, filters=filters, live=live)
    else:
        found = list(session.exec(query.order_by(col(Article.title)).limit(LIST_LIMIT)).all())
    return with_procedure(found, filters.procedure)


def _filtered(query: ArticleSelect, filters: ListFilters) -> ArticleSelect:
    """Apply the audience, language, status and procedure filters."""
    if filters.audience:
        query = query.where(Article.audience == filters.audience)
    if filters.language:
        query = query.where(Article.language == filters.language)
    if filters.status:
        query = query.where(Article.status == filters.status)
    return query


def _search(
    session: Session, *, agent: Agent, query: ArticleSelect, filters: ListFilters, live: LiveIndex
) -> list[Article]:
    """Published articles ranked by the engine, then title matches among the others."""
    found = suggest(
        session,
        live=live,
        text=filters.q,
        audiences=readable_audiences(session, agent),
        limit=SEARCH_LIMIT,
    )
    slugs = [s.slug for s in found]
    rows = {a.slug: a for a in session.exec(query.where(col(Article.slug).in_(slugs)))}
    ranked = [rows[s.slug] for s in found if s.slug in rows]
    pattern = f"%{filters.q.strip()[:100]}%"
    others = session.exec(
        query.where(or_(col(Article.title).ilike(pattern), col(Article.slug).ilike(pattern)))
        .order_by(col(Article.title))
        .limit(SEARCH_LIMIT)
    ).all()
    seen = {a.slug for a in ranked}
    return ranked + [a for a in others if a.slug not in seen]


def with_procedure(articles: list[Article], procedure: str) -> list[Article]:
    """Keep the articles about this téléprocédure (JSON lists are filtered here, portably)."""
    if not procedure:
        return articles
    return [a for a in articles if procedure in a.procedures]


def history(session: Session, *, article: Article) -> list[HistoryRow]:
    """The revisions of an article, newest first, with their authors."""
    rows = session.exec(
        select(ArticleRevision, Agent.full_name)
        .join(Agent, col(Agent.id) == col(ArticleRevision.author_id), isouter=True)
        .where(ArticleRevision.article_id == article.id)
        .order_by(col(ArticleRevision.number).desc())
    ).all()
    return [HistoryRow(revision, name or "Import") for revision, name in rows]


def revision_diff(session: Session, *, article: Article, old: int, new: int) -> RevisionDiff:
    """What changed between two revisions of the article."""
    revisions = {
        r.number: r
        for r in session.exec(
            select(ArticleRevision).where(
                ArticleRevision.article_id == article.id,
                col(ArticleRevision.number).in_([old, new]),
            )
        )
    }
    if old not in revisions or new not in revisions:
        raise NotFoundError("Cette révision n'existe pas. Choisissez-en une dans l'historique.")
    before, after = (
        ArticleContent.of(revisions[n]).to_doc(slug=article.slug, status=article.status)
        for n in (old, new)
    )
    return diff_docs(before, after)


def owner_name(session: Session, article: Article) -> str:
    """The name of the organisation that owns the article."""
    organisation = session.get(Organisation, article.owner_id)
    return organisation.name if organisation else "—"


def feedback_counts(session: Session, *, article: Article) -> dict[str, int]:
    """How many readers said helpful, not helpful, or used it in a reply."""
    rows = session.exec(
        select(ArticleFeedback.kind, func.count())
        .where(ArticleFeedback.article_id == article.id)
        .group_by(col(ArticleFeedback.kind))
    ).all()
    return {kind: int(count) for kind, count in rows}


def public_articles(session: Session, *, language: str) -> list[Article]:
    """The help centre's articles in one language, by title."""
    return list(
        session.exec(
            select(Article)
            .where(
                Article.status == ArticleStatus.PUBLISHED,
                Article.audience == Audience.PUBLIC,
                Article.language == language,
            )
            .order_by(col(Article.title))
        ).all()
    )


def articles_by_slug(session: Session, slugs: list[str]) -> dict[str, Article]:
    """Articles keyed by slug (for search results)."""
    if not slugs:
        return {}
    return {a.slug: a for a in session.exec(select(Article).where(col(Article.slug).in_(slugs)))}
