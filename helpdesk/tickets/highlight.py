"""Search excerpts: a short passage of a ticket around its first match, matches in <mark>.

A word matches as the search matches it: its token (knowledge_base.text) equals a query
term, or starts with one of three characters or more. The text is escaped (markupsafe):
only the <mark> elements added here are markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape
from sqlmodel import Session, col, select

from helpdesk.tickets.models import Message
from knowledge_base.text import tokens

EXCERPT_CHARS = 160
PREFIX_MIN_LENGTH = 3
_WORD = re.compile(r"\w+")


def _matches(word: str, terms: Sequence[str]) -> bool:
    """Whether a word of the text is one the search matched."""
    found = tokens(word)
    if not found:
        return False
    token = found[0]
    return any(
        token == term or (len(term) >= PREFIX_MIN_LENGTH and token.startswith(term))
        for term in terms
    )


def highlight(text: str, terms: Sequence[str], *, width: int = EXCERPT_CHARS) -> Markup | None:
    """An escaped excerpt of the text around its first match, matches marked; None if none."""
    if not terms:
        return None
    first = next((m for m in _WORD.finditer(text) if _matches(m.group(), terms)), None)
    if first is None:
        return None
    start = max(0, first.start() - width // 3)
    if start > 0:
        start = text.find(" ", start, first.start()) + 1 or start
    end = min(len(text), start + width)
    if end < len(text) and (space := text.rfind(" ", first.end(), end)) > 0:
        end = space
    pieces: list[str | Markup] = ["…" if start > 0 else ""]
    cursor = start
    for match in _WORD.finditer(text, start, end):
        if _matches(match.group(), terms):
            pieces += [text[cursor : match.start()], Markup("<mark>%s</mark>") % match.group()]
            cursor = match.end()
    pieces += [text[cursor:end], "…" if end < len(text) else ""]
    return Markup("").join(escape(piece) for piece in pieces)


def excerpts(
    session: Session, *, ticket_ids: Iterable[int], terms: Sequence[str]
) -> dict[int, Markup]:
    """The excerpt of each ticket's first message that matches the terms (none: absent)."""
    ids = list(ticket_ids)
    if not ids or not terms:
        return {}
    rows = session.exec(
        select(Message.ticket_id, Message.body)
        .where(col(Message.ticket_id).in_(ids))
        .order_by(col(Message.ticket_id), col(Message.id))
    )
    found: dict[int, Markup] = {}
    for ticket_id, body in rows:
        if ticket_id not in found and (excerpt := highlight(body, terms)) is not None:
            found[ticket_id] = excerpt
    return found
