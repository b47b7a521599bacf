"""Article bodies: Markdown to HTML (markdown-it-py), then sanitised (nh3) before display."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Dropped with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
LINK_REL = "noopener noreferrer"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """The Markdown parser: CommonMark with tables and strikethrough; raw HTML is parsed
    (and then sanitised) so that hostile markup is removed rather than shown."""
    parser = MarkdownIt("js-default", {"html": True, "linkify": False, "typographer": False})
    parser.core.ruler.push("shift_headings", _shift_headings)
    return parser


def _shift_headings(state: StateCore) -> None:
    """Body headings start at h2: the page title is the only h1."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag < "h6":
            token.tag = f"h{int(token.tag[1]) + 1}"


def sanitize_html(html: str) -> str:
    """Keep only harmless tags and attributes: no script, handler, style or htmx attribute."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Safe HTML for an article body written in Markdown."""
    return sanitize_html(_parser().render(text.replace("\0", "")))
