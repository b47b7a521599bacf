"""The one text normalisation of the project: folding, words, stop words, stemming (pure, no I/O).

The suggestion engine (knowledge_base), the classifier (routing) and the ticket search
(helpdesk.tickets.search) all call this module, so the same text gives the same tokens
everywhere: `tokens(text)` is what each of them indexes and looks up.

Folding (`fold`): case folded, accents removed, Latin special letters and typographic
punctuation transliterated (œ→oe, æ→ae, ß→ss, ø→o, ł→l, đ→d, þ→th, ’→', « »→<< >>,
–→-), digits kept, and the letters of every other script KEPT (Cyrillic, Arabic,
Chinese...: an Arabic or Cyrillic name stays findable by itself).

How, and why not a hand-written table or a whole-text transliterator:
- NFKD splits accented letters into base + combining marks and undoes compatibility
  forms (ligature ﬁ, full-width letters, superscripts, Arabic presentation forms); the
  marks that are optional diacritics are then removed: the generic combining diacritics
  blocks (French, Vietnamese, Greek tonos, Cyrillic ё/й — as PostgreSQL's unaccent does),
  Arabic harakat and tatweel, Hebrew points. Marks that spell a word (Indic, Thai vowel
  signs) are kept and stay inside their word. NFC then recomposes what is left (Hangul).
- The letters NFKD cannot split (ø, ł, đ, ß, æ, œ, þ, ı, ŋ...) and the typographic
  punctuation go through `anyascii`, a maintained transliteration library, rather than a
  table of our own that would always miss a letter. But anyascii (like unidecode) turns
  EVERY script into ASCII — Arabic ع becomes a backtick, Cyrillic is romanised — which
  would drop or mangle other scripts, so it is applied one character at a time and only
  to Latin letters, punctuation and modifier-letter apostrophes; everything else is kept.

Words (`words`): runs of letters, digits and word-internal marks of any script in the
folded text; French elisions (l', d', qu'...) are dropped. Stop words (`STOP_WORDS`,
French and English function words and greetings, written folded) carry no meaning for
retrieval. Stemming: Snowball (French by default, English for English articles).
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import snowballstemmer
from anyascii import anyascii

MAX_QUERY_CHARS = 2000

_TAG_RE = re.compile(r"<[^>]{0,500}>")
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
# Optional diacritics: generic combining diacritical marks (and their extensions),
# Hebrew points, Arabic harakat / superscript alef / tatweel.
_OPTIONAL_MARKS_RE = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]+"
)
_ELISION_RE = re.compile(r"\b(?:jusqu|lorsqu|puisqu|qu|[ldjnscmt])['`]")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")

_FR_STOP = """
a ai aie aient aies ait as au aucun aucune aupres aussi autre autres aux avaient avais
avait avant avec avez aviez avions avoir avons ayant ayez ayons c ca ce ceci cela celle
celles celui ces cet cette ceux chaque chez ci comme comment d dans de des deja depuis
donc dont du elle elles en encore entre es est et etaient etais etait etant ete etes
etiez etions etre eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions
eust eut eutes eux faire fais fait faut furent fus fusse fussent fusses fussiez fussions
fut fumes futes ici il ils j je jusqu l la le les leur leurs lui m ma mais me meme memes
mes moi mon n ne ni nos notre nous on ont ou par pas peu peut peux plus pour pourquoi
quand que quel quelle quelles quels qui quoi s sa sans se sera serai seraient serais
serait seras serez seriez serions serons seront ses si soi soient sois soit sommes son
sont soyez soyons suis sur t ta te tes toi ton toujours tous tout toute toutes tres tu
un une vos votre vous y voici voila alors ainsi bien car cela ceci dois doit doivent
dire dit etc la-bas lors mes oui non parce puis puisque quelque quelques rien svp stp
bonjour bonsoir salut merci cordialement madame monsieur mme mlle coucou hello svp
possible peut-etre vraiment juste deja encore aujourd hui maintenant ya veux voudrais
voulais souhaite souhaiterais pouvez pourriez pourrais besoin savoir sais merci beaucoup
cest jai chose choses quoi fois bon ok okay ben bah euh jamais moins plait qu
"""

_EN_STOP = """
a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in
into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your
yours yourself yourselves hi hello thanks thank please dear regards kind im ive dont
cant cannot its get got still also yet
"""

STOP_WORDS: frozenset[str] = frozenset((_FR_STOP + _EN_STOP).split())

_STEMMER_NAMES = {"fr": "french", "en": "english"}
# Snowball stemmers keep the word being stemmed in their own fields: one set per thread
# (web threads, job threads and the start-up index build stem at the same time).
_local_stemmers = threading.local()


def clean(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """Cut text to `limit` characters and make HTML and control characters harmless."""
    text = text[: limit * 2]
    text = _SCRIPT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL_RE.sub(" ", text)
    return text[:limit]


def _transliterable(char: str) -> bool:
    """Whether anyascii may replace this character: Latin letters and punctuation only."""
    category = unicodedata.category(char)
    if category[0] == "P" or category == "Zs":
        return True
    if category[0] == "L":
        return unicodedata.name(char, "").startswith("LATIN ") or "\u02b0" <= char <= "\u02ff"
    return False


class _Transliteration(dict[int, str]):
    """str.translate table filled on first sight of each character."""

    def __init__(self, lower: bool) -> None:
        super().__init__()
        self.lower = lower

    def __missing__(self, code: int) -> str:
        char = chr(code)
        out = char
        if _transliterable(char):
            out = anyascii(char) or " "
            if self.lower:
                out = out.lower()
        self[code] = out
        return out


_KEEP_CASE = _Transliteration(lower=False)
_LOWER = _Transliteration(lower=True)


def _unaccent(text: str, table: _Transliteration) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    if table.lower:  # casefold after NFKD (𝕬 only becomes A there), which casefold may undo
        text = unicodedata.normalize("NFKD", text.casefold())
    text = _OPTIONAL_MARKS_RE.sub("", text)
    if text.isascii():
        return text
    # only the few non-ASCII runs go through the table (a whole-text translate is slower)
    text = _NON_ASCII_RE.sub(lambda run: run.group().translate(table), text)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def unaccent(text: str) -> str:
    """Accents removed and Latin special letters transliterated, case kept (Œuvre→Oeuvre)."""
    return _unaccent(text, _KEEP_CASE)


def fold(text: str) -> str:
    """Case folded, accents removed, Latin ligatures and punctuation transliterated.

    "Préfecture", "prefecture" and "PRÉFECTURE" meet, and so do "cœur" and "coeur";
    letters of other scripts are kept (casefolded).
    """
    if text.isascii():
        return text.lower()
    return _unaccent(text, _LOWER)


@lru_cache(maxsize=1)
def _word_re() -> re.Pattern[str]:
    """Words of any script: letters and digits, with the marks that spell them (Indic...)."""
    marks = [
        code
        for plane in (range(0x300, 0x20000), range(0xE0100, 0xE01F0))
        for code in plane
        if unicodedata.category(chr(code))[0] == "M"
    ]
    ranges: list[str] = []
    start = previous = marks[0]
    for code in [*marks[1:], -1]:
        if code != previous + 1:
            ranges.append(f"{chr(start)}-{chr(previous)}" if previous > start else chr(start))
            start = code
        previous = code
    return re.compile(f"(?:[^\\W_]|[{''.join(ranges)}])+")


def split(folded: str) -> list[str]:
    """Words of already folded text, dropping French elisions (l', d', qu'...)."""
    folded = _ELISION_RE.sub(" ", folded)
    if folded.isascii():
        return _ASCII_WORD_RE.findall(folded)
    return _word_re().findall(folded)


def words(text: str) -> list[str]:
    """Folded words of a text, without French elisions (l', d', qu'...)."""
    return split(fold(text))


def is_stop_word(word: str) -> bool:
    """Tell whether a folded word carries no meaning for retrieval (fr or en)."""
    return word in STOP_WORDS or (len(word) < 2 and not word.isdigit())


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = "fr") -> str:
    """Snowball stem of a folded word in `language` ('fr' or 'en'; cached)."""
    stemmers: dict[str, Any] | None = getattr(_local_stemmers, "by_language", None)
    if stemmers is None:
        stemmers = {code: snowballstemmer.stemmer(name) for code, name in _STEMMER_NAMES.items()}
        _local_stemmers.by_language = stemmers
    stemmer = stemmers.get(language, stemmers["fr"])
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


def tokens(text: str, language: str = "fr") -> list[str]:
    """The tokens of a plain text: folded words, stop words dropped, stemmed; digits kept.

    What the suggestion engine, the classifier and the ticket search index and look up.
    """
    return terms(words(text), language)


def analyze(text: str, language: str = "fr") -> list[str]:
    """Tokens of a text that may hold HTML: `clean`, then `tokens`."""
    return tokens(clean(text, limit=len(text)), language)
