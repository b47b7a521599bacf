"""How likely a ticket belongs to an incident: the suggestion engine's text processing,
BM25 and a probability calibrated on labelled examples (pure, no I/O).

The incident (title, description) is the query; each candidate ticket (subject, first
messages) is a document. Both go through the engine's normalisation (folding, stop words,
SMS spellings expanded, Snowball stems); the ticket's misspelt words are corrected towards
the incident's words (the engine's length-aware edit budget), and the incident's words
gain the engine's everyday synonyms at half weight. A BM25F index holds the candidates
over the published seed articles, so a word's rarity is measured on a stable corpus and
"dossier" or "titre" weigh little while "FranceConnect" or "timbre" weigh a lot.

The features (BM25 strength, share of the title's and of the description's meaning found,
same or other téléprocédure, opened before the incident began) are combined by a logistic
model whose coefficients bench/incident_suggestions.py fits on the tuning half of
bench/data/incident_links.jsonl; the threshold is chosen there too, on that half only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge_base import text as textproc
from knowledge_base.bm25 import BM25FIndex
from knowledge_base.corpus import index_text, load_articles, published
from knowledge_base.fuzzy import Vocabulary
from knowledge_base.lexicon import TRANSLATIONS
from knowledge_base.query import SYNONYM_WEIGHT, expand_abbreviations, synonyms_of

SEED_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "seed"
BODY_CHARS = 2000  # of the ticket's first messages
# Fitted by `python bench/incident_suggestions.py --fit` on the tuning half (see its output):
# bias, log(1 + bm25), title share, description share, same procedure, other procedure,
# opened before the incident, reports a malfunction, names another administration.
COEFFICIENTS = (-10.53, 2.82, 1.36, 1.02, 0.56, -0.09, -1.0, 2.01, -0.74)
THRESHOLD = 0.51  # probability from which a ticket is proposed (chosen on the tuning half)
VERY_CLOSE = 0.85  # "très proche" from here, "proche" below

# Word families the stemmer keeps apart but an incident description and a usager mix up
# (verb and noun of one action): each word stands for the first of its family.
FAMILIES = (
    ("connexion", "connecter", "connecte", "deconnecte", "reconnecter", "login"),
    ("paiement", "payer", "paye", "payement", "regler", "reglement"),
    ("generation", "generer", "genere"),
    ("televersement", "televerser", "telecharger", "upload", "uploader", "charger"),
    ("affichage", "afficher", "affiche", "apparait", "apparaitre"),
    ("reservation", "reserver", "reserve"),
    ("envoi", "envoyer", "envoye"),
    ("signature", "signer", "signe"),
    ("expiration", "expire", "expiree", "expirer", "perime", "perimee", "echeance"),
)
# Words and phrases (folded) by which a ticket reports a malfunction rather than asks a
# question: an incident is a malfunction, so a how-to question sharing its words is not one.
# fmt: off
MALFUNCTION_WORDS = frozenset((
    "impossible", "erreur", "erreurs", "bloque", "bloquee", "bug", "beug", "echoue", "echec",
    "plante", "tourne", "blanc", "blanche", "grise", "inactif", "incorrect", "incorrecte",
    "invalide", "refuse", "refusee", "rejete", "rejetee", "aucun", "aucune", "rien", "error",
    "cannot", "cant", "blank", "refused", "rejected", "fails", "failed", "never", "introuvable",
    "perime", "perimee",
))
# Other administrations and services a usager may confuse with ANEF (folded): a ticket about
# them shares words with an incident ("connexion", "paiement") but not its cause.
ELSEWHERE_WORDS = frozenset((
    "ants", "antai", "caf", "impots", "edf", "banque", "bailleur", "cpam", "ameli", "urssaf",
    "permis", "amende", "conduire", "wifi",
))
MALFUNCTION_PHRASES = (
    "marche pas", "marche plus", "fonctionne pas", "fonctionne plus", "arrive pas",
    "arrive plus", "narrive pas", "narrive plus", "arrive toujours pas", "parviens pas",
    "parviens plus", "affiche pas", "apparait pas", "pas recu", "toujours pas", "genere pas",
    "repond pas", "ouvre pas", "peux pas", "pouvons pas", "peut pas", "non valide",
    "pas valide", "enregistre pas", "pas enregistre", "pas enregistree", "renouvelle pas",
    "pas renouvele", "trouve pas", "pas de nouvelle", "a expire", "est expire", "not working",
    "does not", "doesn t", "did not", "didn t", "not received", "no slot", "no new",
    "not shown", "is not", "isn t", "can t", "jarrive pas", "jarrive plus", "pas accepte",
    "pas acceptee", "pas renouveler",
)
# fmt: on
TITLE_WEIGHT = 2.0  # the title names the symptom; the description adds context

_WORD_RE = re.compile(r"[^\W_]+")
ACCOUNT = "compte"  # the usager account: an incident on it hits every téléprocédure


@dataclass(frozen=True)
class IncidentText:
    """What an incident says: the query."""

    title: str
    description: str
    procedures: tuple[str, ...]
    started_at: datetime


@dataclass(frozen=True)
class CandidateText:
    """What a ticket says: one document."""

    key: int
    subject: str
    body: str
    procedure: str | None
    created_at: datetime


@dataclass(frozen=True)
class Likeness:
    """A candidate's probability of belonging to the incident, with the reasons."""

    key: int
    probability: float
    shared_words: tuple[str, ...]  # as the ticket writes them
    same_procedure: bool | None  # None: the incident or the ticket names none
    hours_after: float  # negative: opened before the incident began
    features: tuple[float, ...]

    @property
    def category(self) -> str:
        """The score in plain words."""
        return "très proche" if self.probability >= VERY_CLOSE else "proche"


class _CandidateIndex(BM25FIndex):
    """BM25F over the candidates, a term's rarity counted over them and the seed articles."""

    def idf(self, term: str) -> float:
        """Robertson idf over the candidates plus the published seed articles."""
        posting = self.postings.get(term)
        if posting is None:
            return 0.0
        frequencies, articles = _background_frequencies()
        df = len(posting.docs) + frequencies.get(term, 0)
        return math.log(1.0 + (self.live + articles - df + 0.5) / (df + 0.5))


@dataclass
class _Query:
    """The incident's weighted terms, split into title and description."""

    weights: dict[str, float]
    title_terms: set[str]
    description_terms: set[str]
    vocabulary: Vocabulary


def score_all(incident: IncidentText, candidates: Sequence[CandidateText]) -> list[Likeness]:
    """Every candidate with its probability, in the candidates' order."""
    if not candidates:
        return []
    query = _query(incident)
    docs = [_document(c, query) for c in candidates]
    index = _CandidateIndex()
    slots = index.bulk_load([fields for fields, _ in docs])
    strength = _bm25(index, query, np.array(slots, dtype=np.int32))
    idf = {t: index.idf(t) for t in query.weights}
    return [
        _likeness(incident, candidate, query, idf, float(strength[i]), surfaces)
        for i, (candidate, (_, surfaces)) in enumerate(zip(candidates, docs, strict=True))
    ]


def rank(
    incident: IncidentText, candidates: Sequence[CandidateText], *, threshold: float = THRESHOLD
) -> list[Likeness]:
    """Candidates likely to belong to the incident, most likely first."""
    kept = [
        replace(s, shared_words=_as_written(s.shared_words, candidate))
        for s, candidate in zip(score_all(incident, candidates), candidates, strict=True)
        if s.probability >= threshold
    ]
    return sorted(kept, key=lambda s: (-s.probability, s.key))


def procedure_allowed(incident_procedures: Sequence[str], ticket_procedure: str | None) -> bool:
    """Whether a ticket is a candidate given the incident's téléprocédures (None: unknown)."""
    if not incident_procedures or ACCOUNT in incident_procedures or ticket_procedure is None:
        return True
    return ticket_procedure in incident_procedures


def reports_malfunction(folded_words: list[str]) -> bool:
    """Whether a ticket says something does not work (not only asks how to do something)."""
    words = expand_abbreviations(folded_words)
    if MALFUNCTION_WORDS.intersection(words):
        return True
    joined = f" {' '.join(words)} "
    return any(f" {phrase} " in joined for phrase in MALFUNCTION_PHRASES)


def names_elsewhere(folded_words: list[str], query: _Query) -> bool:
    """Whether a ticket names another administration or service the incident does not."""
    named = ELSEWHERE_WORDS.intersection(folded_words)
    return any(_term(w) not in query.weights for w in named)


def probability(features: Iterable[float]) -> float:
    """The logistic model's probability for a feature vector (without the bias term)."""
    bias, *weights = COEFFICIENTS
    z = bias + sum(w * x for w, x in zip(weights, features, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def _likeness(
    incident: IncidentText,
    candidate: CandidateText,
    query: _Query,
    idf: dict[str, float],
    strength: float,
    surfaces: dict[str, str],
) -> Likeness:
    """Features, probability and reasons of one candidate."""
    found = set(surfaces) & set(query.weights)
    same: bool | None = None
    if incident.procedures and candidate.procedure:
        same = candidate.procedure in incident.procedures
    hours = (candidate.created_at - incident.started_at).total_seconds() / 3600
    words = textproc.words(textproc.clean(f"{candidate.subject}\n{candidate.body[:BODY_CHARS]}"))
    features = (
        math.log1p(strength),
        _share(query.title_terms, found, idf),
        _share(query.description_terms, found, idf),
        1.0 if same is True else 0.0,
        1.0 if same is False else 0.0,
        1.0 if hours < 0 else 0.0,
        1.0 if reports_malfunction(words) else 0.0,
        1.0 if names_elsewhere(words, query) else 0.0,
    )
    ordered = sorted(found, key=lambda t: (-idf.get(t, 0.0) * query.weights[t], t))
    shared = tuple(dict.fromkeys(surfaces[t] for t in ordered))[:8]
    return Likeness(candidate.key, probability(features), shared, same, hours, features)


def _share(terms: set[str], found: set[str], idf: dict[str, float]) -> float:
    """Share of the terms' idf mass that the ticket holds."""
    total = sum(idf.get(t, 0.0) for t in terms)
    return sum(idf.get(t, 0.0) for t in terms & found) / total if total > 0 else 0.0


def _bm25(index: BM25FIndex, query: _Query, slots: np.ndarray) -> np.ndarray:
    """BM25F score of each candidate slot for the incident's weighted terms."""
    dense = np.zeros(index.size, dtype=np.float64)
    for term, weight in query.weights.items():
        docs, scores = index.term_scores(term)
        dense[docs] += weight * scores
    return dense[slots]


def _query(incident: IncidentText) -> _Query:
    """The incident's terms: its own words (weight 1) and their synonyms (half weight)."""
    title_words = _meaningful(textproc.words(textproc.clean(incident.title)))
    description_words = _meaningful(textproc.words(textproc.clean(incident.description)))
    title_terms = {_term(w) for w in title_words}
    description_terms = {_term(w) for w in description_words} - title_terms
    weights = {**dict.fromkeys(description_terms, 1.0), **dict.fromkeys(title_terms, TITLE_WEIGHT)}
    vocabulary = Vocabulary()
    vocabulary.add([*title_words, *description_words])
    for _, alternative, _weight in synonyms_of([*title_words, *description_words]):
        if len(alternative) == 1 and not textproc.is_stop_word(alternative[0]):
            weights.setdefault(_term(alternative[0]), SYNONYM_WEIGHT)
            vocabulary.add(alternative)
    return _Query(weights, title_terms, description_terms, vocabulary)


def _document(
    candidate: CandidateText, query: _Query
) -> tuple[list[dict[str, int]], dict[str, str]]:
    """BM25F fields (subject, -, messages) of a ticket and the ticket's word for each term."""
    surfaces: dict[str, str] = {}
    fields: list[dict[str, int]] = []
    for raw in (candidate.subject, "", candidate.body[:BODY_CHARS]):
        counts: dict[str, int] = {}
        for token, word in _translated(textproc.words(textproc.clean(raw))):
            term = _corrected_term(word, query)
            counts[term] = counts.get(term, 0) + 1
            surfaces.setdefault(term, token)
        fields.append(counts)
    return fields, surfaces


def _corrected_term(word: str, query: _Query) -> str:
    """A ticket word's term, its typo fixed towards the incident's words when it is unknown."""
    term = _term(word)
    if term in query.weights or word in _known_words():
        return term
    fixed = query.vocabulary.correct(word)
    return _term(fixed) if fixed else term


def _translated(tokens: list[str]) -> list[tuple[str, str]]:
    """(token as written, meaningful word) pairs, English phrases also given in French."""
    pairs: list[tuple[str, str]] = []
    starts = _translation_starts()
    for i, token in enumerate(tokens):
        pairs.extend((token, w) for w in _token_words(token))
        if token not in starts:
            continue
        for phrase in (" ".join(tokens[i : i + 2]), token):
            if phrase in TRANSLATIONS:
                french = [w for t in TRANSLATIONS[phrase] for w in t.split()]
                pairs.extend((token, w) for w in _meaningful(french))
                break
    return pairs


@lru_cache(maxsize=1)
def _translation_starts() -> frozenset[str]:
    """First words of the English phrases the lexicon translates."""
    return frozenset(phrase.split()[0] for phrase in TRANSLATIONS)


@lru_cache(maxsize=100_000)
def _token_words(token: str) -> tuple[str, ...]:
    """The meaningful words one folded token stands for (an SMS spelling may be several)."""
    return tuple(_meaningful([token]))


def _meaningful(tokens: list[str]) -> list[str]:
    """Folded words with SMS spellings expanded, stop words and short numbers dropped."""
    return [
        w
        for w in expand_abbreviations(tokens)
        if not textproc.is_stop_word(w) and not (w.isdigit() and len(w) < 3)
    ]


def _as_written(folded: tuple[str, ...], candidate: CandidateText) -> tuple[str, ...]:
    """The ticket's words as the usager wrote them (case and accents), from their folded form."""
    wanted = set(folded)
    spelled: dict[str, str] = {}
    for match in _WORD_RE.finditer(f"{candidate.subject}\n{candidate.body[:BODY_CHARS]}"):
        key = textproc.fold(match.group())
        if key in wanted:
            spelled.setdefault(key, match.group())
    return tuple(dict.fromkeys(spelled.get(w, w) for w in folded))


@lru_cache(maxsize=50_000)
def _term(word: str) -> str:
    """The index term of a folded word, its family's when it has one."""
    return _family_terms().get(word, textproc.stem(word))


@lru_cache(maxsize=1)
def _family_terms() -> dict[str, str]:
    """Folded word -> the stem of its family's first word."""
    table: dict[str, str] = {}
    for family in FAMILIES:
        head = textproc.stem(family[0])
        for word in family:
            table[word] = head
            table[textproc.stem(word)] = head
    return table


@lru_cache(maxsize=1)
def _background_frequencies() -> tuple[dict[str, int], int]:
    """In how many published seed articles each term occurs, and how many articles there are."""
    frequencies: dict[str, int] = {}
    docs = published(load_articles(SEED_DIR))
    for doc in docs:
        words = _meaningful(textproc.words(f"{doc.title} {' '.join(doc.tags)} {index_text(doc)}"))
        for term in {_term(w) for w in words}:
            frequencies[term] = frequencies.get(term, 0) + 1
    return frequencies, len(docs)


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Words spelt as the wiki spells them: never corrected."""
    known: set[str] = set()
    for doc in published(load_articles(SEED_DIR)):
        known.update(textproc.words(f"{doc.title} {index_text(doc)}"))
    return frozenset(known)


def _counts(words: list[str]) -> dict[str, int]:
    """Term frequencies of meaningful folded words."""
    counts: dict[str, int] = {}
    for word in words:
        term = _term(word)
        counts[term] = counts.get(term, 0) + 1
    return counts
