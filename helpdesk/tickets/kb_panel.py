"""The knowledge-base panel of the ticket page: suggestions, and inserting one into the reply."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.kb.index import LiveIndex, suggest
from helpdesk.kb.models import Article, ArticleStatus, FeedbackKind
from helpdesk.kb.queries import articles_by_slug, readable_article
from helpdesk.kb.service import record_feedback
from helpdesk.policy.articles import readable_audiences
from helpdesk.tickets.models import Ticket
from knowledge_base.corpus import strip_markdown

SUMMARY_CHARS = 400


@dataclass(frozen=True)
class PanelItem:
    """One suggested article and whether it may be quoted to the usager."""

    slug: str
    title: str
    score: float
    public: bool


def panel_items(
    session: Session, *, live: LiveIndex, agent: Agent, ticket_text: str
) -> list[PanelItem]:
    """The articles that answer the ticket's text, among those the agent may read."""
    found = suggest(
        session, live=live, text=ticket_text, audiences=readable_audiences(session, agent)
    )
    articles = articles_by_slug(session, [s.slug for s in found])
    return [
        PanelItem(s.slug, s.title, s.score, _is_public(articles.get(s.slug)))
        for s in found
        if s.slug in articles
    ]


def insert_article(
    session: Session, *, agent: Agent, ticket: Ticket, slug: str, draft: str, base_url: str
) -> str:
    """The reply draft with the article's link and summary added at its end (no-JS fallback)."""
    snippet = article_text(session, agent=agent, ticket=ticket, slug=slug, base_url=base_url)
    if not snippet:
        return draft  # internal guidance is never quoted to the usager
    return f"{draft.rstrip()}\n\n{snippet}".strip()


def article_text(
    session: Session, *, agent: Agent, ticket: Ticket, slug: str, base_url: str
) -> str:
    """The article's title, summary and public link, to insert into a reply; records the use.

    Empty for an article the usager may not read (internal guidance is never quoted)."""
    article = readable_article(session, agent=agent, slug=slug)
    record_feedback(
        session,
        article_id=article.id or 0,
        kind=FeedbackKind.USED_IN_REPLY,
        agent=agent,
        ticket_id=ticket.id,
    )
    if not _is_public(article):
        return ""
    return f"{article.title}\n{summary(article.body)}\n{base_url.rstrip('/')}/aide/{article.slug}"


def summary(body: str) -> str:
    """The first paragraph of an article, as plain text, at most a few sentences."""
    text = strip_markdown(body).strip()
    first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
    return (
        first if len(first) <= SUMMARY_CHARS else first[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    )


def _is_public(article: Article | None) -> bool:
    """Whether the usager may be pointed to this article."""
    return (
        article is not None
        and article.audience == "public"
        and article.status == ArticleStatus.PUBLISHED
    )
