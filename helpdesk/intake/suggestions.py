"""Suggestions for the form without JavaScript, asked of the wiki's public suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from litestar import Request

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ArticleLink:
    """A suggested public article: its slug, title and address in the help centre."""

    slug: str
    title: str
    url: str


def suggestions_for(
    request: Request[Any, Any, Any], values: dict[str, str], lang: str
) -> list[ArticleLink]:
    """Public articles answering the subject and message; none when the wiki is unavailable.

    Asked of the process's cached public suggestions (no database work of its own): call it
    from a worker thread, as it may look at the index version now and then.
    """
    text = f"{values.get('subject', '')}\n{values.get('message', '')}".strip()
    public = getattr(request.app.state, "public_suggestions", None)
    if not text or public is None:
        return []
    found = public.suggestions(text, language=lang)
    suffix = "?lang=en" if lang == "en" else ""
    return [ArticleLink(s.slug, s.title, f"/aide/{s.slug}{suffix}") for s in found]
