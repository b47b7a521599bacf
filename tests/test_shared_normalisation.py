"""The suggestion engine, the classifier and the ticket search normalise text with one module."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpdesk.tickets.search import search_document, search_terms
from knowledge_base import text
from knowledge_base.corpus import ArticleDoc
from knowledge_base.engine import SuggestionIndex
from routing import classification
from routing.classification import Classifier, Example

SAMPLE = "Les Préfectures et L’ŒUVRE : cœur, Straße, Søren Łódź — Иван محمد naturalisations"
SAMPLE_TOKENS = [
    "prefectur",
    "oeuvr",
    "coeur",
    "strass",
    "soren",
    "lodz",
    "иван",
    "محمد",
    "naturalis",
]


def article(body: str, slug: str = "echantillon", title: str = SAMPLE) -> ArticleDoc:
    return ArticleDoc(slug=slug, title=title, body=body, audience="public", language="fr")


def test_the_sample_gives_the_expected_tokens():
    assert text.tokens(SAMPLE) == SAMPLE_TOKENS


def test_engine_classifier_and_search_give_the_same_tokens():
    index = SuggestionIndex.build([article(SAMPLE, slug="x")])  # the slug is indexed too
    engine_terms = set(index.bm25.postings)
    engine_title = index.titles[index.slots["x"]].split()

    classifier = Classifier([Example(SAMPLE, "label")])

    assert engine_title == SAMPLE_TOKENS
    assert engine_terms == set(SAMPLE_TOKENS)
    assert classification.tokens(SAMPLE) == SAMPLE_TOKENS
    assert set(classifier.idf) == set(SAMPLE_TOKENS)
    assert search_terms(SAMPLE) == SAMPLE_TOKENS
    assert search_document([SAMPLE]).split() == SAMPLE_TOKENS


USERS: dict[str, Callable[[str], object]] = {
    "engine index": lambda s: SuggestionIndex.build([article(s)]),
    "engine query": lambda s: SuggestionIndex.build([article("cœur")]).suggest(s),
    "classifier": lambda s: Classifier([Example("cœur", "a")]).guess(s),
    "search query": search_terms,
    "search document": lambda s: search_document([s]),
}


@pytest.mark.parametrize("user", sorted(USERS))
def test_every_user_folds_with_the_shared_function(user: str, monkeypatch: pytest.MonkeyPatch):
    seen: list[str] = []
    real_fold = text.fold

    def spy(value: str) -> str:
        seen.append(value)
        return real_fold(value)

    monkeypatch.setattr(text, "fold", spy)
    USERS[user]("Préfecture du cœur " + user)
    assert any(user in value for value in seen)


def test_engine_finds_accented_and_ligatured_articles_from_plain_queries():
    index = SuggestionIndex.build(
        [
            article("Le cœur du dossier.", slug="coeur", title="Le cœur de la préfecture"),
            article("Mot de passe perdu.", slug="compte", title="Mot de passe oublié"),
        ]
    )
    assert [s.slug for s in index.suggest("coeur prefecture")][:1] == ["coeur"]
    assert [s.slug for s in index.suggest("CŒUR PRÉFECTURE")][:1] == ["coeur"]


def test_classifier_reads_accents_ligatures_and_other_scripts_alike():
    classifier = Classifier(
        [
            Example("Naturalisation à la préfecture, cœur du dossier", "naturalisation"),
            Example("Mot de passe oublié, compte bloqué", "compte"),
            Example("Паспорт гражданина", "passeport"),
        ]
    )
    assert classifier.guess("NATURALISATION prefecture coeur").label == "naturalisation"
    assert classifier.guess("паспорт").label == "passeport"
