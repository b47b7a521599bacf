"""Suggesting a ticket's procedure and motif from its text, against labelled examples (pure).

Texts are normalised by the project's one text module (knowledge_base.text): the classifier
sees the same tokens as the suggestion engine and the ticket search.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge_base import text as textproc

AUTO_APPLY_CONFIDENCE = 0.6
MIN_SCORE = 0.12  # below this cosine, the text says nothing about any label
FUZZY_CUTOFF = 84
# The motifs of the contact form, with the words that say them (the "autre" motif has none).
CATEGORY_EXAMPLES = {
    "compte": "compte connexion mot de passe identifiant bloque franceconnect code courriel "
    "se connecter acces espace personnel erreur technique site bug page",
    "attestation": "attestation prolongation instruction depot decision favorable recepisse "
    "telecharger attestation expiree",
    "rendez-vous": "rendez-vous rdv remise titre disponible sms convocation prefecture retrait "
    "carte prete biometrie empreintes",
    "demarche": "demande dossier deposer renouvellement delai instruction pieces justificatives "
    "naturalisation titre sejour changement adresse",
}


@dataclass(frozen=True)
class Example:
    """A labelled text: a knowledge-base title and tags, or a resolved ticket."""

    text: str
    label: str
    weight: float = 1.0


@dataclass(frozen=True)
class Guess:
    """The best label for a text, how sure we are, and the runners-up."""

    label: str | None
    confidence: float
    scores: tuple[tuple[str, float], ...] = ()

    @property
    def confident(self) -> bool:
        """Whether the guess may be applied without an agent."""
        return self.label is not None and self.confidence >= AUTO_APPLY_CONFIDENCE


def tokens(text: str) -> list[str]:
    """Stems of the meaningful words of a text: the shared tokens, numbers left out."""
    return [t for t in textproc.tokens(text) if not t.isdigit()]


class Classifier:
    """A TF-IDF centroid per label, with typo-tolerant matching of unknown words."""

    def __init__(self, examples: Iterable[Example]) -> None:
        bags: dict[str, dict[str, float]] = defaultdict(dict)
        document_frequency: Counter[str] = Counter()
        count = 0
        for example in examples:
            terms = tokens(example.text)
            if not terms:
                continue
            count += 1
            document_frequency.update(set(terms))
            for term in terms:
                bag = bags[example.label]
                bag[term] = bag.get(term, 0.0) + example.weight
        self.idf = {t: math.log(1 + count / df) for t, df in document_frequency.items()}
        self.vocabulary = sorted(self.idf)
        self.centroids = {label: self._normalise(bag) for label, bag in bags.items()}

    def _normalise(self, bag: Counter[str] | dict[str, float]) -> dict[str, float]:
        """A unit TF-IDF vector of a bag of terms."""
        vector = {t: (1 + math.log(n)) * self.idf.get(t, 0.0) for t, n in bag.items() if n > 0}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items() if v > 0}

    def _known(self, term: str) -> str | None:
        """The term itself if known, else its closest known spelling (typos), else None."""
        if term in self.idf:
            return term
        if len(term) < 4 or not self.vocabulary:
            return None
        match = process.extractOne(
            term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        return match[0] if match else None

    def guess(self, text: str) -> Guess:
        """The most likely label of the text, or None when nothing matches well enough."""
        terms = [known for t in tokens(text) if (known := self._known(t))]
        if not terms:
            return Guess(None, 0.0)
        query = self._normalise(Counter(terms))
        scores = sorted(
            (
                (label, sum(w * c.get(t, 0.0) for t, w in query.items()))
                for label, c in self.centroids.items()
            ),
            key=lambda pair: -pair[1],
        )
        best_label, best = scores[0]
        if best < MIN_SCORE:
            return Guess(None, 0.0, tuple(scores[:3]))
        second = scores[1][1] if len(scores) > 1 else 0.0
        margin = (best - second) / best
        confidence = round(min(1.0, best / 0.35) * (0.5 + 0.5 * margin), 3)
        return Guess(best_label, confidence, tuple(scores[:3]))


def category_examples() -> list[Example]:
    """The built-in examples of the contact form's motifs."""
    return [Example(text, label) for label, text in CATEGORY_EXAMPLES.items()]


NOT_A_PROCEDURE = frozenset({"transverse", ""})


def article_examples(
    *, title: str, tags: Iterable[str], procedures: Iterable[str], summary: str = ""
) -> list[Example]:
    """The examples one knowledge-base article gives: its title, tags and summary per procedure."""
    text = " ".join([title, title, " ".join(t.replace("-", " ") for t in tags), summary])
    return [Example(text, code) for code in procedures if code not in NOT_A_PROCEDURE]


def procedure_labels(procedures: Iterable[str]) -> frozenset[str]:
    """The real procedures among an article's (transverse articles have none)."""
    return frozenset(code for code in procedures if code not in NOT_A_PROCEDURE)
