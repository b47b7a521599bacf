"""Knowledge-base articles as Markdown files with YAML front matter (load, strip, dump)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

AUDIENCES = ("public", "agents", "referents")
LANGUAGES = ("fr", "en")

_FENCE_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_MD_PATTERNS = [
    (re.compile(r"```.*?```", re.DOTALL), " "),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<[^>]+>"), " "),
    (re.compile(r"^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),
    (re.compile(r"[*_`~|]+"), ""),
    (re.compile(r"^\s*-{3,}\s*$", re.MULTILINE), " "),
]


class ArticleFormatError(ValueError):
    """An article file has no front matter or misses a required field."""


@dataclass(frozen=True)
class ArticleDoc:
    """One knowledge-base article as the suggestion engine sees it."""

    slug: str
    title: str
    body: str
    audience: str
    language: str
    procedures: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    status: str = "published"


def strip_markdown(text: str) -> str:
    """Plain text of a Markdown body (links keep their label, markup is dropped)."""
    for pattern, replacement in _MD_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def parse_article(text: str, *, source: str = "<text>") -> ArticleDoc:
    """Parse one Markdown article with its YAML front matter."""
    match = _FENCE_RE.match(text.lstrip("\ufeff"))
    if match is None:
        raise ArticleFormatError(f"{source}: the file must start with a --- front matter block")
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise ArticleFormatError(f"{source}: the front matter must be a YAML mapping")
    missing = [k for k in ("slug", "title") if not meta.get(k)]
    if missing:
        raise ArticleFormatError(f"{source}: missing front matter field(s): {', '.join(missing)}")
    return ArticleDoc(
        slug=str(meta["slug"]),
        title=str(meta["title"]),
        body=match.group(2).strip(),
        audience=str(meta.get("audience", "public")),
        language=str(meta.get("language", "fr")),
        procedures=_as_tuple(meta.get("teleprocedures")),
        tags=_as_tuple(meta.get("tags")),
        status=str(meta.get("status", "published")),
    )


def load_articles(directory: str | Path) -> list[ArticleDoc]:
    """Load every *.md article of a directory, sorted by file name."""
    paths = sorted(Path(directory).glob("*.md"))
    return [parse_article(p.read_text(encoding="utf-8"), source=str(p)) for p in paths]


def dump_article(doc: ArticleDoc) -> str:
    """Write an article back to Markdown with front matter (the format load reads)."""
    meta: dict[str, Any] = {
        "slug": doc.slug,
        "title": doc.title,
        "audience": doc.audience,
        "language": doc.language,
        "teleprocedures": list(doc.procedures),
        "tags": list(doc.tags),
    }
    if doc.status != "published":
        meta["status"] = doc.status
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{doc.body.strip()}\n"


def index_text(doc: ArticleDoc) -> str:
    """Plain body text of an article, ready for indexing."""
    return strip_markdown(doc.body)


def published(docs: Iterable[ArticleDoc]) -> list[ArticleDoc]:
    """Only the articles whose status is 'published'."""
    return [d for d in docs if d.status == "published"]
