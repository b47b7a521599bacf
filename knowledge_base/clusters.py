"""Grouping similar short texts (ticket subjects) with rapidfuzz, for the KB gaps page."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from knowledge_base import text as textproc

K = TypeVar("K", bound=Hashable)
SIMILARITY = 70.0  # token_set_ratio (0-100) from which two subjects belong together


@dataclass
class Cluster(Generic[K]):
    """Texts that say nearly the same thing: a label (the first text) and the members' keys."""

    label: str
    key: str
    members: list[K] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many texts the cluster holds."""
        return len(self.members)


def comparable(text: str) -> str:
    """A text folded for comparison: lower case, no accents, no stop words."""
    kept = [w for w in textproc.words(text) if not textproc.is_stop_word(w)]
    return " ".join(kept) or " ".join(textproc.words(text))


def cluster_texts(
    items: Sequence[tuple[K, str]], *, threshold: float = SIMILARITY
) -> list[Cluster[K]]:
    """Greedy grouping of (key, text) pairs by token_set_ratio; biggest groups first."""
    clusters: list[Cluster[K]] = []
    for key, text in items:
        folded = comparable(text)
        best, best_score = None, threshold
        for cluster in clusters:
            score = fuzz.token_set_ratio(folded, cluster.key)
            if score >= best_score:
                best, best_score = cluster, score
        if best is None:
            best = Cluster(label=text.strip(), key=folded)
            clusters.append(best)
        best.members.append(key)
    return sorted(clusters, key=lambda c: (-c.count, c.label.lower()))
