"""Suggestion engine: BM25F + typo-tolerant query analysis + fuzzy titles (pure)."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from knowledge_base import text as textproc
from knowledge_base.bm25 import BM25FIndex, BM25Params, FieldCounts
from knowledge_base.corpus import AUDIENCES, ArticleDoc, index_text
from knowledge_base.fuzzy import Vocabulary, title_similarity
from knowledge_base.query import AnalyzedQuery, Concept, analyze_query

SHORTLIST = 40  # candidates that reach the fuzzy title channel
W_STRENGTH, W_COVER, W_TITLE = 0.5, 0.3, 0.2  # fused score = weighted sum of channels
BM25_SCALE = 10.0  # BM25F score giving 63 % strength
EXACT_MASS = 4.0  # idf mass of exact query words needed for full confidence
EXACT_SHARE = 0.75  # ...or this share of the whole query matched exactly
LANGUAGE_PENALTY = 0.85  # factor for articles not in the preferred language
PRIOR_WEIGHT = 0.1  # at most +10 % for articles that helped before
MIN_SCORE = 0.3  # below this calibrated score nothing is suggested


@dataclass(frozen=True)
class Shortlist:
    """Candidate slots with their BM25F score, idf coverage and exact-word idf mass."""

    slots: np.ndarray
    bm25: np.ndarray
    cover: np.ndarray
    exact: np.ndarray


@dataclass(frozen=True)
class Suggestion:
    """One suggested article with its calibrated score in [0, 1]."""

    slug: str
    title: str
    score: float
    matched_terms: tuple[str, ...]


def _analyze_doc(doc: ArticleDoc) -> tuple[list[dict[str, int]], set[str]]:
    """Term frequencies per BM25F field (title, tags + slug, body) and surface words."""
    tags = " ".join([*doc.tags, doc.slug]).replace("-", " ")
    field_words = [textproc.words(doc.title), textproc.words(tags), textproc.words(index_text(doc))]
    fields = [textproc.term_counts(w, doc.language) for w in field_words]
    surface = {w for ws in field_words for w in ws if not w.isdigit()}
    return fields, {w for w in surface if textproc.index_term(w, doc.language)}


class SuggestionIndex:
    """In-memory index of published articles answering `suggest` queries."""

    def __init__(self, params: BM25Params | None = None) -> None:
        self.bm25 = BM25FIndex(params)
        self.vocab = Vocabulary()
        self.docs: dict[int, ArticleDoc] = {}
        self.slots: dict[str, int] = {}
        self.titles: dict[int, str] = {}
        self.audience = np.zeros(0, dtype=np.int8)
        self.language = np.zeros(0, dtype=np.int8)
        self.prior: dict[str, float] = {}
        # live updates come from job threads while web threads query the same index
        self._lock = threading.RLock()

    @classmethod
    def build(cls, docs: Iterable[ArticleDoc], params: BM25Params | None = None) -> SuggestionIndex:
        """Index every published article of `docs`."""
        index = cls(params)
        live = [d for d in {d.slug: d for d in docs}.values() if d.status == "published"]
        slots = index.bm25.bulk_load(index._analyze_stream(live))
        for doc, slot in zip(live, slots, strict=True):
            index._register(doc, slot)
        return index

    def upsert(self, doc: ArticleDoc) -> None:
        """Add or replace one article (an unpublished status removes it)."""
        fields, surface = _analyze_doc(doc)
        with self._lock:
            self.remove(doc.slug)
            if doc.status != "published":
                return
            self.vocab.add(surface)
            self._register(doc, self.bm25.add(fields))

    def remove(self, slug: str) -> None:
        """Withdraw an article from suggestions (no-op when unknown)."""
        with self._lock:
            slot = self.slots.pop(slug, None)
            if slot is None:
                return
            doc = self.docs.pop(slot)
            self.titles.pop(slot, None)
            fields, surface = _analyze_doc(doc)
            self.bm25.remove(slot, fields)
            self.vocab.remove(surface)

    def __len__(self) -> int:
        return len(self.slots)

    def __contains__(self, slug: object) -> bool:
        return slug in self.slots

    def set_prior(self, prior: Mapping[str, float]) -> None:
        """Replace the feedback prior (slug -> non-negative usefulness count)."""
        self.prior = {k: float(v) for k, v in prior.items() if v > 0}

    def suggest(
        self,
        text: str,
        *,
        audiences: set[str] | None = None,
        language: str | None = None,
        limit: int = 5,
        prior: Mapping[str, float] | None = None,
    ) -> list[Suggestion]:
        """Best articles for a question, best first; [] when nothing is relevant enough."""
        if not text or not text.strip() or limit <= 0:
            return []
        with self._lock:
            if not self.slots:
                return []
            query = analyze_query(text, self._known, self.vocab)
            if not query.concepts:
                return []
            short = self._shortlist(query, audiences)
            if short.slots.size == 0:
                return []
            scores = self._fuse(query, short)
            prior = self.prior if prior is None else prior
            scores = self._adjust(short.slots, scores, language, prior)
            order = np.argsort(-scores, kind="stable")[:limit]
            return [
                self._suggestion(int(short.slots[i]), float(scores[i]), query.concepts)
                for i in order
                if scores[i] >= MIN_SCORE
            ]

    def _known(self, term: str) -> bool:
        return term in self.bm25.postings

    def _analyze_stream(self, docs: Iterable[ArticleDoc]) -> Iterator[FieldCounts]:
        """Field term counts of each article, feeding the vocabulary on the way.

        A generator, so the per-article dictionaries never all sit in memory at once.
        """
        for doc in docs:
            fields, surface = _analyze_doc(doc)
            self.vocab.add(surface)
            yield fields

    def _register(self, doc: ArticleDoc, slot: int) -> None:
        """Remember an indexed article's metadata for filtering and display."""
        self.docs[slot] = doc
        self.slots[doc.slug] = slot
        self.titles[slot] = " ".join(textproc.analyze(doc.title, doc.language))
        if self.audience.shape[0] <= slot:
            extra = max(slot + 1, 2 * self.audience.shape[0]) - self.audience.shape[0]
            self.audience = np.pad(self.audience, (0, extra), constant_values=-1)
            self.language = np.pad(self.language, (0, extra), constant_values=-1)
        self.audience[slot] = AUDIENCES.index(doc.audience) if doc.audience in AUDIENCES else -1
        self.language[slot] = 0 if doc.language == "fr" else 1

    def _shortlist(self, query: AnalyzedQuery, audiences: set[str] | None) -> Shortlist:
        """BM25F over the query's postings only; keep the best SHORTLIST allowed slots."""
        size = self.bm25.size
        total, cover, exact = (np.zeros(size, dtype=np.float32) for _ in range(3))
        for concept in query.concepts:
            idf = self._idf(concept)
            docs, scores, own = self._concept_scores(concept)
            total[docs] += scores
            cover[docs] += np.minimum(scores, idf)
            # evidence: own words count fully (typo fixes discounted), synonyms half
            exact[docs] += 0.5 * np.minimum(scores, idf)
            exact[own] += 0.5 * concept.weight * idf
        allowed = self.bm25.alive[:size] & (total > 0)
        if audiences is not None and "all" not in audiences:
            codes = [AUDIENCES.index(a) for a in audiences if a in AUDIENCES]
            allowed &= np.isin(self.audience[:size], codes)
        slots = np.flatnonzero(allowed)
        if slots.size > SHORTLIST:
            slots = slots[np.argpartition(-total[slots], SHORTLIST - 1)[:SHORTLIST]]
        return Shortlist(slots, total[slots], cover[slots], exact[slots])

    def _idf(self, concept: Concept) -> float:
        """A concept's idf: its own best term's, else its synonyms' best."""
        terms = concept.terms or concept.all_terms()
        return max(self.bm25.idf(t) for t in terms)

    def _concept_scores(self, concept: Concept) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Best of the word itself and its synonym phrases; also the word's own hits."""
        size = self.bm25.size
        own = _combine([self.bm25.term_scores(t) for t in concept.terms], size, "max")
        parts = [(own[0], own[1] * concept.weight)] if concept.terms else []
        for weight, phrase in concept.synonyms:
            words = [_combine([self.bm25.term_scores(t) for t in w], size, "max") for w in phrase]
            docs, scores = _combine(words, size, "sum")
            parts.append((docs, scores * weight))
        docs, scores = _combine(parts, size, "max")
        return docs, scores, own[0]

    def _fuse(self, query: AnalyzedQuery, short: Shortlist) -> np.ndarray:
        """Calibrated score in [0, 1]: fused channels times the confidence in the match."""
        mass = sum(self._idf(c) for c in query.concepts)
        mass += len(query.unknown) * math.log(1.0 + max(len(self.slots), 1))
        strength = 1.0 - np.exp(-short.bm25 / BM25_SCALE)
        coverage = np.minimum(1.0, 2.0 * short.cover / max(mass, 1e-9))
        qtext = " ".join(textproc.stem(w) for w in query.words)
        titles = np.array([title_similarity(qtext, self.titles[int(s)]) for s in short.slots])
        fused = W_STRENGTH * strength + W_COVER * coverage + W_TITLE * titles
        # off-topic text only meets articles through weak, corrected or synonym words
        confidence = np.minimum(
            1.0,
            np.maximum(short.exact / EXACT_MASS, short.exact / max(mass, 1e-9) / EXACT_SHARE),
        )
        return np.asarray(fused * confidence, dtype=np.float64)

    def _adjust(
        self,
        slots: np.ndarray,
        scores: np.ndarray,
        language: str | None,
        prior: Mapping[str, float],
    ) -> np.ndarray:
        """Apply the language preference and the feedback prior as mild factors."""
        if language in ("fr", "en"):
            wanted = 0 if language == "fr" else 1
            scores = np.where(self.language[slots] == wanted, scores, scores * LANGUAGE_PENALTY)
        if prior:
            boost = [prior.get(self.docs[int(s)].slug, 0.0) for s in slots]
            factor = 1.0 + PRIOR_WEIGHT * np.array([p / (1.0 + p) for p in boost])
            scores = scores * factor
        return np.minimum(scores, 1.0)

    def _suggestion(self, slot: int, score: float, concepts: Iterable[Concept]) -> Suggestion:
        """Build the result row, listing which query words hit the article."""
        matched = []
        for concept in concepts:
            for term in concept.all_terms():
                docs = self.bm25.postings[term].docs
                i = int(np.searchsorted(docs, slot))
                if i < docs.size and docs[i] == slot and concept.label not in matched:
                    matched.append(concept.label)
        doc = self.docs[slot]
        return Suggestion(doc.slug, doc.title, round(score, 4), tuple(matched))


Sparse = tuple[np.ndarray, np.ndarray]  # (slots, scores), slots unique within one vector


def _combine(parts: list[Sparse], size: int, op: str) -> Sparse:
    """Per-slot maximum ('max') or sum ('sum') of sparse score vectors."""
    if len(parts) == 1:
        return parts[0]
    dense = np.zeros(size, dtype=np.float32)
    for docs, scores in parts:
        if op == "max":
            dense[docs] = np.maximum(dense[docs], scores)
        else:
            dense[docs] += scores
    docs = np.flatnonzero(dense)
    return docs.astype(np.int32), dense[docs]
