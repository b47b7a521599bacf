"""French/English text normalisation for the suggestion engine (pure, no I/O)."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from knowledge_base.lexicon import ABBREVIATIONS, STOP_WORDS, SYNONYM_GROUPS, TRANSLATIONS

MAX_QUERY_CHARS = 2000

_TAG_RE = re.compile(r"<[^>]{0,500}>")
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")
_ELISION_RE = re.compile(r"\b(?:jusqu|lorsqu|puisqu|qu|[ldjnscmt])['’`´]")
_WORD_RE = re.compile(r"[a-z0-9]+")
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ß", "ss"), ("’", "'"), ("‘", "'"), ("ø", "o"))

_STEMMERS = {
    "fr": snowballstemmer.stemmer("french"),
    "en": snowballstemmer.stemmer("english"),
}


def clean(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """Cut text to `limit` characters and make HTML and control characters harmless."""
    text = text[: limit * 2]
    text = _SCRIPT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL_RE.sub(" ", text)
    return text[:limit]


def fold(text: str) -> str:
    """Lowercase and strip accents (é→e, œ→oe) so spelling variants meet."""
    text = text.lower()
    if text.isascii():
        return text
    for char, replacement in _LIGATURES:  # str.replace chains beat str.translate here
        if char in text:
            text = text.replace(char, replacement)
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """Split folded text into words, dropping French elisions (l', d', qu'...)."""
    return _WORD_RE.findall(_ELISION_RE.sub(" ", fold(text)))


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


def is_stop_word(word: str) -> bool:
    """Tell whether a folded word carries no meaning for retrieval (fr or en)."""
    return word in STOP_WORDS or (len(word) < 2 and not word.isdigit())


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = "fr") -> str:
    """Snowball stem of a folded word in `language` ('fr' or 'en'; cached)."""
    stemmer = _STEMMERS.get(language, _STEMMERS["fr"])
    return str(stemmer.stemWord(word))


_TERMS: dict[str, dict[str, str]] = {"fr": {}, "en": {}}


def index_term(word: str, language: str = "fr") -> str:
    """Index term of a folded word ('' for a stop word); cached per language."""
    cache = _TERMS["en" if language == "en" else "fr"]
    term = cache.get(word)
    if term is None:
        if is_stop_word(word):
            term = ""
        elif word.isdigit():
            term = word
        else:
            term = stem(word, language)
        if len(cache) < 500_000:
            cache[word] = term
    return term


def terms(folded_words: Iterable[str], language: str = "fr") -> list[str]:
    """Index terms of already split words (stop words dropped)."""
    return [t for w in folded_words if (t := index_term(w, language))]


def term_counts(folded_words: Iterable[str], language: str = "fr") -> dict[str, int]:
    """Term frequencies of already split words (stop words dropped)."""
    counts: dict[str, int] = {}
    cache = _TERMS["en" if language == "en" else "fr"]
    for word, n in Counter(folded_words).items():
        term = cache.get(word)
        if term is None:
            term = index_term(word, language)
        if term:
            counts[term] = counts.get(term, 0) + n
    return counts


def analyze(text: str, language: str = "fr") -> list[str]:
    """Index terms of a text: clean, fold, split, drop stop words and stem."""
    return terms(words(clean(text, limit=len(text))), language)


def query_words(text: str) -> list[str]:
    """Meaningful folded words of a query, with abbreviations expanded."""
    tokens = expand_abbreviations(words(clean(text)))
    # short numbers (days, counts) say nothing about the topic
    return [w for w in tokens if not is_stop_word(w) and not (w.isdigit() and len(w) < 3)]


SYNONYM_WEIGHT = 0.5  # an everyday single-word synonym: related, not equal
PHRASE_WEIGHT = 0.8  # a multi-word equivalence or a translation: nearly equal


def synonyms_of(tokens: list[str]) -> list[tuple[str, list[str], float]]:
    """(phrase, alternative words, weight) for phrases of 1 to 3 words found in tokens."""
    stems = [stem(t) for t in tokens]
    found: list[tuple[str, list[str], float]] = []
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            alternatives = _synonym_table().get(" ".join(stems[i : i + size]), {})
            phrase = " ".join(tokens[i : i + size])
            found.extend((phrase, alt.split(), w) for alt, w in sorted(alternatives.items()))
    return found


def _key(phrase: str) -> str:
    return " ".join(stem(w) for w in words(phrase) if not is_stop_word(w))


def _surface(phrase: str) -> str:
    return " ".join(w for w in words(phrase) if not is_stop_word(w))


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
