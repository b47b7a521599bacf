"""BM25F inverted index with per-term posting arrays and live add/remove (pure, numpy)."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

FIELDS = ("title", "tags", "body")


@dataclass(frozen=True)
class BM25Params:
    """BM25F parameters: saturation k1, per-field weights and length normalisation b."""

    k1: float = 1.2
    weights: tuple[float, float, float] = (3.0, 2.0, 1.0)
    b: tuple[float, float, float] = (0.5, 0.3, 0.75)


@dataclass
class Posting:
    """Documents holding one term, with the term's frequency in each field."""

    docs: np.ndarray  # int32 slots
    tf: np.ndarray  # float32, shape (3, n): title, tags, body


FieldCounts = Sequence[Mapping[str, int]]  # term -> tf, one mapping per field (FIELDS order)


class BM25FIndex:
    """Inverted index scoring one term at a time; cost follows the term's postings."""

    def __init__(self, params: BM25Params | None = None) -> None:
        self.params = params or BM25Params()
        self.postings: dict[str, Posting] = {}
        self.lengths = np.zeros((3, 16), dtype=np.float32)
        self.alive = np.zeros(16, dtype=bool)
        self.size = 0  # slots used (alive or not)
        self.live = 0
        self._norms: np.ndarray | None = None
        # per-term tf saturation, valid until lengths change (any add or remove)
        self._saturated: dict[str, np.ndarray] = {}

    def bulk_load(self, docs_fields: Iterable[FieldCounts]) -> list[int]:
        """Index many documents at once (vectorised; the build path); returns their slots."""
        ids: dict[str, int] = {}
        term_ids, slot_ids, field_ids, counts = array("i"), array("i"), array("b"), array("f")
        slots = []
        for fields in docs_fields:
            slot = self._new_slot(fields)
            slots.append(slot)
            for f, field in enumerate(fields):
                term_ids.extend([ids.setdefault(t, len(ids)) for t in field])
                counts.extend(field.values())
                slot_ids.extend([slot] * len(field))
                field_ids.extend([f] * len(field))
        if not ids:
            return slots
        keys = np.frombuffer(term_ids, np.int32).astype(np.int64) * self.size
        keys += np.frombuffer(slot_ids, np.int32)
        unique, inverse = np.unique(keys, return_inverse=True)
        fields_arr, counts_arr = (
            np.frombuffer(field_ids, np.int8),
            np.frombuffer(counts, np.float32),
        )
        tf = np.vstack(
            [
                np.bincount(inverse[fields_arr == f], counts_arr[fields_arr == f], unique.size)
                for f in range(3)
            ]
        ).astype(np.float32)
        owners, docs = np.divmod(unique, self.size)
        cuts = np.flatnonzero(np.diff(owners)) + 1
        names = list(ids)
        for start, end in zip([0, *cuts], [*cuts, unique.size], strict=True):
            new = Posting(docs[start:end].astype(np.int32), tf[:, start:end])
            term = names[int(owners[start])]
            self.postings[term] = _merge(self.postings.get(term), new)
        return slots

    def add(self, fields: FieldCounts) -> int:
        """Index one document and return its slot."""
        return self.bulk_load([fields])[0]

    def remove(self, slot: int, fields: FieldCounts) -> None:
        """Drop a document (given the terms it was indexed with) from the index."""
        if not self.alive[slot]:
            return
        for term in _field_counts(fields):
            posting = self.postings.get(term)
            if posting is None:
                continue
            keep = posting.docs != slot
            if keep.all():
                continue
            if not keep.any():
                del self.postings[term]
            else:
                self.postings[term] = Posting(posting.docs[keep], posting.tf[:, keep])
        self.alive[slot] = False
        self.lengths[:, slot] = 0
        self.live -= 1
        self._norms = None
        self._saturated.clear()

    def idf(self, term: str) -> float:
        """Robertson idf of a term (0 when the term is unknown)."""
        posting = self.postings.get(term)
        if posting is None:
            return 0.0
        df = len(posting.docs)
        return math.log(1.0 + (self.live - df + 0.5) / (df + 0.5))

    def term_scores(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25F contribution of one term: (slots, scores) over its postings only."""
        posting = self.postings.get(term)
        if posting is None:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        saturated = self._saturated.get(term)
        if saturated is None:
            norms = self._field_norms()[:, posting.docs]
            pseudo_tf = (posting.tf / norms).sum(axis=0)
            k1 = self.params.k1
            saturated = (pseudo_tf * (k1 + 1.0) / (pseudo_tf + k1)).astype(np.float32)
            self._saturated[term] = saturated
        return posting.docs, saturated * np.float32(self.idf(term))

    def max_term_score(self, term: str) -> float:
        """Upper bound of one term's contribution (idf times the saturation limit)."""
        return self.idf(term) * (self.params.k1 + 1.0)

    def _field_norms(self) -> np.ndarray:
        """Per-field 1/weight-scaled length normalisation for every slot (cached)."""
        if self._norms is None:
            lengths = self.lengths[:, : self.size]
            live = max(self.live, 1)
            avg = lengths.sum(axis=1) / live
            avg = np.where(avg > 0, avg, 1.0)[:, None]
            b = np.array(self.params.b, dtype=np.float32)[:, None]
            w = np.array(self.params.weights, dtype=np.float32)[:, None]
            self._norms = ((1.0 - b + b * lengths / avg) / w).astype(np.float32)
        return self._norms

    def _new_slot(self, fields: FieldCounts) -> int:
        """Reserve a slot, growing the per-slot arrays when full."""
        if self.size == self.alive.shape[0]:
            capacity = self.size * 2
            self.lengths = np.pad(self.lengths, ((0, 0), (0, capacity - self.size)))
            self.alive = np.pad(self.alive, (0, capacity - self.size))
        slot = self.size
        self.size += 1
        self.live += 1
        self.alive[slot] = True
        self.lengths[:, slot] = [sum(f.values()) for f in fields]
        self._norms = None
        self._saturated.clear()
        return slot


def _field_counts(fields: FieldCounts) -> dict[str, list[int]]:
    """Term -> [tf in title, tf in tags, tf in body]."""
    counts: dict[str, list[int]] = {}
    for i, field in enumerate(fields):
        for term, n in field.items():
            counts.setdefault(term, [0, 0, 0])[i] = n
    return counts


def _merge(old: Posting | None, new: Posting) -> Posting:
    """Append postings (slots only grow, so the result stays sorted)."""
    if old is None:
        return new
    return Posting(np.concatenate([old.docs, new.docs]), np.hstack([old.tf, new.tf]))
