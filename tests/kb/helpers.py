"""Wiki test helpers: agents of each profile, articles in each state."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.auth.models import Agent, Role
from helpdesk.kb import service
from helpdesk.kb.models import Article, ArticleStatus
from helpdesk.kb.schemas import ArticleContent

from factories import make_agent

BODY = "Le récépissé perdu se remplace en ligne.\n\nRendez-vous sur votre compte ANEF."


def content(title: str = "Récépissé perdu : que faire ?", **overrides: object) -> ArticleContent:
    """Article content with sensible defaults."""
    values: dict[str, object] = {
        "title": title,
        "body": BODY,
        "audience": "public",
        "language": "fr",
        "procedures": ("duplicata",),
        "tags": ("recepisse", "perte"),
    }
    values.update(overrides)
    return ArticleContent(**values)  # type: ignore[arg-type]


def make_editor(session: Session, organisation: str = "dp-anef") -> Agent:
    """A knowledge-base editor."""
    return make_agent(session, role=Role.EDITOR, organisation=organisation, queues=())


def make_referent(session: Session) -> Agent:
    """A référent (no queue)."""
    return make_agent(session, role=Role.REFERENT, organisation="ccc", queues=())


def add_article(
    session: Session,
    slug: str,
    *,
    status: ArticleStatus = ArticleStatus.PUBLISHED,
    **overrides: object,
) -> Article:
    """An article written by the system (like an import), in the given status."""
    return service.create_article(
        session, slug=slug, content=content(**overrides), actor=None, status=status
    )
