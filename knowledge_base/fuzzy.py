"""Typo-tolerant helpers: vocabulary correction, prefix completion, fuzzy title match."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

MIN_CORRECTABLE = 5  # shorter words are too ambiguous to correct
MIN_PREFIX = 4


def max_edits(word: str) -> int:
    """Edits allowed when correcting a word: longer words tolerate more typos."""
    n = len(word)
    if n < MIN_CORRECTABLE:
        return 0
    if n <= 10:
        return 1
    return 2


class Vocabulary:
    """Surface words of the indexed articles with their document frequency."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._by_length: dict[int, list[str]] | None = None
        self._sorted: list[str] | None = None

    def add(self, words: Iterable[str]) -> None:
        """Count the distinct words of one document."""
        self.counts.update(set(words))
        self._by_length = self._sorted = None

    def remove(self, words: Iterable[str]) -> None:
        """Forget the distinct words of one document."""
        self.counts.subtract(set(words))
        for word in [w for w in set(words) if self.counts[w] <= 0]:
            del self.counts[word]
        self._by_length = self._sorted = None

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def correct(self, word: str) -> str | None:
        """Closest known word within the length-aware edit budget (ties: most frequent)."""
        budget = max_edits(word)
        if budget == 0:
            return None
        by_length = self._length_buckets()
        candidates: list[str] = []
        for n in range(len(word) - budget, len(word) + budget + 1):
            # typos rarely hit the first letter: this keeps the candidate list short
            candidates.extend(w for w in by_length.get(n, ()) if w[0] == word[0])
        matches = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=20
        )
        if not matches:
            return None
        best = min(matches, key=lambda m: (m[1], -self.counts[m[0]], m[0]))
        return str(best[0])

    def completions(self, prefix: str, limit: int = 3) -> list[str]:
        """Most frequent known words that start with `prefix` (truncated spellings)."""
        if len(prefix) < MIN_PREFIX:
            return []
        words = self._sorted_words()
        start = bisect.bisect_left(words, prefix)
        found = []
        for word in words[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        found.sort(key=lambda w: (-self.counts[w], w))
        return found[:limit]

    def split(self, word: str) -> list[str]:
        """Known words glued together ('ephoto' -> 'e photo'), or [] when none."""
        for cut in range(1, len(word) - MIN_PREFIX + 1):
            head, tail = word[:cut], word[cut:]
            if tail in self.counts and (cut <= 2 or head in self.counts):
                return [head, tail]
        return []

    def _length_buckets(self) -> dict[int, list[str]]:
        if self._by_length is None:
            buckets: dict[int, list[str]] = {}
            for word in self.counts:
                buckets.setdefault(len(word), []).append(word)
            self._by_length = buckets
        return self._by_length

    def _sorted_words(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.counts)
        return self._sorted


def title_similarity(query: str, title: str) -> float:
    """How well a normalised title matches a normalised query, in [0, 1]."""
    if not query or not title:
        return 0.0
    return float(fuzz.token_set_ratio(query, title)) / 100.0
