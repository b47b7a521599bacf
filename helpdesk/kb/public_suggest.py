"""Suggestions for anonymous readers (the contact form while they type), without a request
session: answered by the process's live index and cached per (language, query) until the
knowledge base changes (the index's generation) or a few minutes pass."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from cachetools import TTLCache

from helpdesk.kb.index import LiveIndex
from knowledge_base.engine import Suggestion
from knowledge_base.text import MAX_QUERY_CHARS

CACHE_SIZE = 4096  # entries (a few hundred bytes of HTML each)
CACHE_TTL_S = 300.0
PUBLIC_AUDIENCES = frozenset({"public"})
Render = Callable[[Sequence[Suggestion]], str]


def query_key(text: str) -> str:
    """The query as the cache knows it: NULs dropped, spaces collapsed, case folded, bounded."""
    cleaned = (text or "")[:MAX_QUERY_CHARS].replace("\0", " ")
    return " ".join(cleaned.split()).casefold()


class PublicSuggestions:
    """Published public articles answering a text: found once per (language, query), and
    rendered once per (language, query) for the help centre's fragment."""

    def __init__(
        self,
        live: LiveIndex,
        *,
        limit: int = 5,
        maxsize: int = CACHE_SIZE,
        ttl: float = CACHE_TTL_S,
    ) -> None:
        self.live = live
        self.limit = limit
        self._found: TTLCache[tuple[str, str], tuple[Suggestion, ...]] = TTLCache(maxsize, ttl)
        self._html: TTLCache[tuple[str, str], str] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._generation = -1
        self._lock = threading.Lock()

    def cached(self, text: str, *, language: str) -> str | None:
        """The cached fragment, when it is known still right; never touches the database."""
        if self.live.check_due():
            return None
        with self._lock:
            if self._generation != self.live.generation:
                return None
            return self._html.get((language, query_key(text)))

    def suggestions(self, text: str, *, language: str) -> tuple[Suggestion, ...]:
        """The articles for this text: cached, or asked of the index (which may look at its
        version in the database: call it from a worker thread)."""
        key = (language, query_key(text))
        if not key[1]:
            return ()
        index = self.live.current()
        generation = self.live.generation
        with self._lock:
            if generation != self._generation:
                self._found.clear()
                self._html.clear()
                self._generation = generation
            hit = self._found.get(key)
        if hit is not None or index is None:  # an unavailable index is not remembered
            return hit or ()
        found = tuple(
            index.suggest(
                key[1], audiences=set(PUBLIC_AUDIENCES), language=language, limit=self.limit
            )
        )
        with self._lock:
            if generation == self._generation:
                self._found[key] = found
        return found

    def fragment(self, text: str, *, language: str, render: Render) -> str:
        """The rendered fragment for this text (see `suggestions`)."""
        key = (language, query_key(text))
        found = self.suggestions(text, language=language)
        generation = self.live.generation
        with self._lock:
            hit = self._html.get(key) if generation == self._generation else None
        if hit is not None:
            return hit
        html = render(found)
        with self._lock:
            if generation == self._generation and (found or not key[1] or key in self._found):
                self._html[key] = html
        return html
