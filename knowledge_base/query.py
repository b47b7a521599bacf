"""Query analysis: words -> weighted concepts (stems, typo fixes, synonyms)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge_base import text
from knowledge_base.fuzzy import Vocabulary
from knowledge_base.lexicon import ABBREVIATIONS, SYNONYM_GROUPS, TRANSLATIONS

CORRECTED_WEIGHT = 0.6
COMPLETED_WEIGHT = 0.7
SYNONYM_WEIGHT = 0.5  # an everyday single-word synonym: related, not equal
PHRASE_WEIGHT = 0.8  # a multi-word equivalence or a translation: nearly equal

Word = tuple[str, ...]  # the index terms one word may stand for (fr and en stems)


@dataclass(frozen=True)
class Concept:
    """One query word: its index terms, its weight and its synonym phrases.

    A document scores the best of: the word itself (times `weight`) or any synonym
    phrase (the sum of its words, times SYNONYM_WEIGHT), so synonyms never add up
    with the word they stand for.
    """

    label: str
    terms: Word
    weight: float
    synonyms: list[tuple[float, tuple[Word, ...]]] = field(default_factory=list, compare=False)

    def all_terms(self) -> set[str]:
        """Every index term this concept may match."""
        return set(self.terms) | {t for _, phrase in self.synonyms for w in phrase for t in w}


@dataclass(frozen=True)
class AnalyzedQuery:
    """Concepts of a query plus the words that matched nothing in the index."""

    concepts: tuple[Concept, ...]
    unknown: tuple[str, ...]
    words: tuple[str, ...]


def _stems(word: str, known: Callable[[str], bool]) -> Word:
    """Index terms a folded word can stand for (French and English stems)."""
    found = {text.stem(word, "fr"), text.stem(word, "en")}
    return tuple(sorted(t for t in found if known(t)))


def _resolve(word: str, known: Callable[[str], bool], vocab: Vocabulary) -> Concept | None:
    """Concept for a query word, fixing typos and truncations when it is unknown."""
    terms = _stems(word, known)
    if terms:
        return Concept(word, terms, 1.0)
    if word.isdigit():
        return None
    fixed = vocab.correct(word)
    if fixed is not None and (terms := _stems(fixed, known)):
        return Concept(fixed, terms, CORRECTED_WEIGHT)
    parts = [t for w in vocab.split(word) for t in _stems(w, known)]
    if parts:
        return Concept(word, tuple(sorted(set(parts))), 1.0)
    completed = [t for w in vocab.completions(word) for t in _stems(w, known)]
    if completed:
        return Concept(word, tuple(sorted(set(completed))), COMPLETED_WEIGHT)
    return None


def analyze_query(raw: str, known: Callable[[str], bool], vocab: Vocabulary) -> AnalyzedQuery:
    """Turn raw query text into weighted concepts, deduplicated by index terms."""
    concepts: dict[Word, Concept] = {}
    words: list[str] = []
    owners: list[Concept | None] = []
    for word in query_words(raw):
        # an unknown word stays as a placeholder: a synonym or translation may rescue it
        concept = _resolve(word, known, vocab) or Concept(word, (), 0.0)
        key = concept.terms or (f"?{word}",)
        kept = concepts.setdefault(key, concept)
        if kept.weight < concept.weight:
            kept = concepts[key] = concept
        words.append(kept.label)
        owners.append(kept if kept.weight in (0.0, 1.0) else None)
    _attach_synonyms(words, owners, known)
    found = tuple(c for c in concepts.values() if c.terms or c.synonyms)
    unknown = tuple(c.label for c in concepts.values() if not (c.terms or c.synonyms))
    return AnalyzedQuery(found, unknown, tuple(words))


def _attach_synonyms(
    words: list[str], exact: list[Concept | None], known: Callable[[str], bool]
) -> None:
    """Give exact (or unknown) words the synonym phrases starting at their position."""
    present = set(words)
    positions = {w: i for i, w in reversed(list(enumerate(words)))}
    for phrase, alternative, weight in synonyms_of(words):
        owner = exact[positions[phrase.split()[0]]]
        if owner is None:
            continue
        extra = tuple(t for w in alternative if w not in present and (t := _stems(w, known)))
        if extra and extra != (owner.terms,) and all(p != extra for _, p in owner.synonyms):
            owner.synonyms.append((weight, extra))


def expand_abbreviations(tokens: Iterable[str]) -> list[str]:
    """Replace SMS spellings and common abbreviations by their full words."""
    out: list[str] = []
    for token in tokens:
        full = ABBREVIATIONS.get(token)
        if full is None:
            out.append(token)
        else:
            out.extend(full.split())
    return out


def query_words(raw: str) -> list[str]:
    """Meaningful folded words of a query, with abbreviations expanded."""
    tokens = expand_abbreviations(text.words(text.clean(raw)))
    # short numbers (days, counts) say nothing about the topic
    return [w for w in tokens if not text.is_stop_word(w) and not (w.isdigit() and len(w) < 3)]


def synonyms_of(tokens: list[str]) -> list[tuple[str, list[str], float]]:
    """(phrase, alternative words, weight) for phrases of 1 to 3 words found in tokens."""
    stems = [text.stem(t) for t in tokens]
    found: list[tuple[str, list[str], float]] = []
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            alternatives = _synonym_table().get(" ".join(stems[i : i + size]), {})
            phrase = " ".join(tokens[i : i + size])
            found.extend((phrase, alt.split(), w) for alt, w in sorted(alternatives.items()))
    return found


def _key(phrase: str) -> str:
    return " ".join(text.stem(w) for w in text.words(phrase) if not text.is_stop_word(w))


def _surface(phrase: str) -> str:
    return " ".join(w for w in text.words(phrase) if not text.is_stop_word(w))


@lru_cache(maxsize=1)
def _synonym_table() -> dict[str, dict[str, float]]:
    """Stemmed phrase -> {alternative phrase (folded words): weight}."""
    table: dict[str, dict[str, float]] = {}

    def put(source: str, target: str, weight: float) -> None:
        key, alt = _key(source), _surface(target)
        if key and alt and _key(target) != key:
            entry = table.setdefault(key, {})
            entry[alt] = max(entry.get(alt, 0.0), weight)

    for group in SYNONYM_GROUPS:
        for source in group:
            for target in group:
                multi = " " in _surface(source) or " " in _surface(target)
                put(source, target, PHRASE_WEIGHT if multi else SYNONYM_WEIGHT)
    for source, targets in TRANSLATIONS.items():
        for target in targets:
            put(source, target, PHRASE_WEIGHT)
    return table
