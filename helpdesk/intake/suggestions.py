"""Suggestions for the form without JavaScript, asked of the wiki's public suggestion engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from litestar import Request
from sqlmodel import Session

log = structlog.get_logger(__name__)
PUBLIC_AUDIENCE = "public"


@dataclass(frozen=True)
class ArticleLink:
    """A suggested public article: its slug, title and address in the help centre."""

    slug: str
    title: str
    url: str


def suggestions_for(
    request: Request[Any, Any, Any], session: Session, values: dict[str, str], lang: str
) -> list[ArticleLink]:
    """Public articles answering the subject and message; none when the wiki is unavailable."""
    text = f"{values.get('subject', '')}\n{values.get('message', '')}".strip()
    live = getattr(request.app.state, "kb_index", None)
    if not text or live is None:
        return []
    try:
        from helpdesk.kb.index import suggest
    except ImportError:  # pragma: no cover (the wiki is part of the application)
        return []
    found = suggest(
        session, live=live, text=text, audiences={PUBLIC_AUDIENCE}, language=lang, limit=5
    )
    suffix = "?lang=en" if lang == "en" else ""
    return [ArticleLink(s.slug, s.title, f"/aide/{s.slug}{suffix}") for s in found]
