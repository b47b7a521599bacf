"""The in-memory suggestion index of a process, kept fresh from the database's index version."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

import structlog
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from helpdesk.db import utcnow
from helpdesk.kb.models import Article, ArticleFeedback, ArticleStatus, FeedbackKind, KbIndexState
from knowledge_base.corpus import ArticleDoc
from knowledge_base.engine import Suggestion, SuggestionIndex
from knowledge_base.text import MAX_QUERY_CHARS

log = structlog.get_logger(__name__)

CHECK_INTERVAL_S = 2.0  # how stale an index may get before it looks at the version again
PRIOR_INTERVAL_S = 60.0  # how often the feedback prior is recomputed
PRIOR_WINDOW = timedelta(days=365)
STATE_ID = 1


def article_doc(article: Article) -> ArticleDoc:
    """An article row as the engine sees it."""
    return ArticleDoc(
        slug=article.slug,
        title=article.title,
        body=article.body,
        audience=article.audience,
        language=article.language,
        procedures=tuple(article.procedures),
        tags=tuple(article.tags),
        status=article.status,
    )


def current_version(session: Session) -> int:
    """The version of the searchable set (0 before the first refresh)."""
    state = session.get(KbIndexState, STATE_ID)
    return state.version if state else 0


def bump_version(session: Session, *, article_ids: Iterable[int]) -> int:
    """Mark these articles as changed in a new index version; returns that version."""
    state = session.get(KbIndexState, STATE_ID, with_for_update=True)
    if state is None:
        state = KbIndexState(id=STATE_ID, version=0)
        session.add(state)
    state.version += 1
    session.flush()
    ids = sorted(set(article_ids))
    if ids:
        session.execute(
            update(Article).where(col(Article.id).in_(ids)).values(index_version=state.version)
        )
    return state.version


def feedback_prior(session: Session) -> dict[str, float]:
    """Usefulness per slug: helpful votes and uses in replies, minus unhelpful votes."""
    since = utcnow() - PRIOR_WINDOW
    rows = session.exec(
        select(Article.slug, ArticleFeedback.kind, func.count())
        .join(Article, col(Article.id) == col(ArticleFeedback.article_id))
        .where(col(ArticleFeedback.created_at) >= since)
        .group_by(col(Article.slug), col(ArticleFeedback.kind))
    ).all()
    prior: dict[str, float] = {}
    for slug, kind, count in rows:
        sign = -1.0 if kind == FeedbackKind.NOT_HELPFUL else 1.0
        prior[slug] = prior.get(slug, 0.0) + sign * int(count)
    return {slug: value for slug, value in prior.items() if value > 0}


class LiveIndex:
    """A process's index: built from the published articles, then updated incrementally."""

    def __init__(
        self,
        engine: Engine,
        *,
        check_interval: float = CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.check_interval = check_interval
        self.clock = clock
        self.index: SuggestionIndex | None = None
        self.version = 0
        self.generation = 0  # bumped whenever the answers of the index may have changed
        self._checked_at = 0.0
        self._prior_at = 0.0
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Build the index from the database now (application start)."""
        with Session(self.engine) as session, self._lock:
            self._build(session)

    def warm_up(self) -> None:
        """Build at application start; a database not ready yet only delays it to first use."""
        try:
            self.load()
        except SQLAlchemyError:
            log.warning("kb.index_deferred")

    def get(self, session: Session) -> SuggestionIndex:
        """The index, built on first use and brought up to date at most every check_interval."""
        with self._lock:
            now = self.clock()
            if self.index is None:
                self._build(session)
            elif now - self._checked_at >= self.check_interval:
                self._catch_up(session, now)
            assert self.index is not None
            return self.index

    def check_due(self) -> bool:
        """Whether the next read should look at the database (never built, or checked long ago)."""
        last = (
            self._checked_at if self._failed_at is None else max(self._checked_at, self._failed_at)
        )
        return self.index is None or self.clock() - last >= self.check_interval

    def current(self) -> SuggestionIndex | None:
        """The index for a reader without a request session (anonymous suggestions).

        Looks at the database at most every check_interval, in a short session of its own;
        when the database cannot be read, answers the index as it is (None before the first
        build) and tries again one interval later.
        """
        if not self.check_due():
            return self.index
        try:
            with Session(self.engine) as session:
                return self.get(session)
        except SQLAlchemyError:
            self._failed_at = self.clock()
            log.warning("kb.index_check_failed")
            return self.index

    def _build(self, session: Session) -> None:
        """Index every published article; remember the version it reflects."""
        version = current_version(session)
        rows = session.exec(select(Article).where(Article.status == ArticleStatus.PUBLISHED))
        self.index = SuggestionIndex.build(article_doc(a) for a in rows)
        self.index.set_prior(feedback_prior(session))
        self.version = version
        self.generation += 1
        self._checked_at = self._prior_at = self.clock()
        self._failed_at = None
        log.info("kb.index_built", articles=len(self.index), version=version)

    def _catch_up(self, session: Session, now: float) -> None:
        """Apply the articles changed since our version (read the version first: no miss)."""
        assert self.index is not None
        self._checked_at = now
        version = current_version(session)
        moved = version != self.version
        if moved:
            changed = session.exec(
                select(Article).where(col(Article.index_version) > self.version)
            ).all()
            for article in changed:
                self.index.upsert(article_doc(article))  # unpublished: removed
            log.info("kb.index_updated", changed=len(changed), version=version)
            self.version = version
        if moved or now - self._prior_at >= PRIOR_INTERVAL_S:
            self.index.set_prior(feedback_prior(session))
            self._prior_at = now
            self.generation += 1
        self._failed_at = None


def suggest(
    session: Session,
    *,
    live: LiveIndex,
    text: str,
    audiences: Iterable[str],
    language: str | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Suggestions readable by these audiences, re-checked against the database."""
    text = (text or "")[:MAX_QUERY_CHARS]
    if not text.strip():
        return []
    allowed = set(audiences)
    found = live.get(session).suggest(text, audiences=allowed, language=language, limit=limit)
    if not found:
        return []
    rows = session.exec(select(Article).where(col(Article.slug).in_([s.slug for s in found])))
    live_slugs = {
        a.slug for a in rows if a.status == ArticleStatus.PUBLISHED and a.audience in allowed
    }
    return [s for s in found if s.slug in live_slugs]
