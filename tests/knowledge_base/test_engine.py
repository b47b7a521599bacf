"""Suggestion engine: ranking, typo correction, off-topic text, filters, live updates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knowledge_base.corpus import ArticleDoc, load_articles
from knowledge_base.engine import Suggestion, SuggestionIndex
from knowledge_base.fuzzy import max_edits
from knowledge_base.query import analyze_query

SEED = Path(__file__).resolve().parents[2] / "knowledge_base" / "seed"


@pytest.fixture(scope="module")
def docs() -> list[ArticleDoc]:
    return load_articles(SEED)


@pytest.fixture(scope="module")
def index(docs: list[ArticleDoc]) -> SuggestionIndex:
    return SuggestionIndex.build(docs)


def _slugs(results: list[Suggestion]) -> list[str]:
    return [r.slug for r in results]


def test_plain_question_finds_its_article(index: SuggestionIndex) -> None:
    results = index.suggest("comment obtenir un duplicata de ma carte de séjour volée")
    assert results[0].slug == "duplicata-perte-vol"
    assert 0.0 < results[0].score <= 1.0
    assert "duplicata" in results[0].matched_terms
    assert results[0].title.startswith("J'ai perdu")


def test_scores_are_sorted_and_limited(index: SuggestionIndex) -> None:
    results = index.suggest("timbre fiscal", limit=3)
    assert 1 <= len(results) <= 3
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_accents_case_and_abbreviations_do_not_matter(index: SuggestionIndex) -> None:
    reference = _slugs(index.suggest("mot de passe oublié"))[0]
    assert _slugs(index.suggest("MOT DE PASSE OUBLIE"))[0] == reference
    assert _slugs(index.suggest("mdp oublié"))[0] == reference == "mot-de-passe-oublie"


def test_vocabulary_corrects_with_length_aware_budgets(index: SuggestionIndex) -> None:
    vocab = index.vocab
    assert max_edits("abc") == 0 and max_edits("carte") == 1 and max_edits("naturalisasion") == 2
    assert vocab.correct("prefectur") == "prefecture"
    assert vocab.correct("naturalisasion") == "naturalisation"
    assert vocab.correct("xqzwv") is None
    assert vocab.split("ephoto") == ["e", "photo"]
    assert "naturalisation" in vocab.completions("natural")
    assert vocab.completions("na") == []


def test_known_words_are_never_corrected(index: SuggestionIndex) -> None:
    query = analyze_query("carte titre", index._known, index.vocab)
    assert [c.label for c in query.concepts] == ["carte", "titre"]
    assert all(c.weight == 1.0 for c in query.concepts)


def test_typos_are_corrected_against_the_vocabulary(index: SuggestionIndex) -> None:
    assert _slugs(index.suggest("naturalisasion entretient"))[0] == "naturalisation-entretien"
    assert _slugs(index.suggest("dupliacta titre"))[0] == "duplicata-perte-vol"


def test_english_question_reaches_english_and_french_articles(index: SuggestionIndex) -> None:
    slugs = _slugs(index.suggest("my residence card was stolen", limit=5))
    assert "duplicata-perte-vol" in slugs
    assert any(s.startswith("en-") for s in slugs)


def test_language_is_a_preference_not_a_filter(index: SuggestionIndex) -> None:
    question = "residence permit ready collect appointment"
    english = index.suggest(question, language="en")
    assert english[0].slug.startswith("en-")
    assert any(not s.slug.startswith("en-") for s in index.suggest(question, language="en"))


@pytest.mark.parametrize("empty", ["", "   ", "\n\t", "?!;:", "le la les de"])
def test_empty_input_gives_nothing(index: SuggestionIndex, empty: str) -> None:
    assert index.suggest(empty) == []


@pytest.mark.parametrize(
    "nonsense", ["qsdfkj azerty wxcvbn", "xyzzy plugh", "recette du gâteau au chocolat"]
)
def test_nonsense_and_off_topic_give_nothing(index: SuggestionIndex, nonsense: str) -> None:
    assert index.suggest(nonsense) == []


def test_audience_filter(index: SuggestionIndex, docs: list[ArticleDoc]) -> None:
    audience = {d.slug: d.audience for d in docs}
    question = "compte bloqué identifiant refusé que vérifier avant d'escalader"
    everyone = index.suggest(question, audiences=None, limit=10)
    assert {audience[s.slug] for s in everyone} >= {"public", "agents"}
    public = index.suggest(question, audiences={"public"}, limit=10)
    assert public and all(audience[s.slug] == "public" for s in public)
    assert index.suggest(question, audiences={"all"}, limit=10) == everyone


def test_html_and_control_characters_are_harmless(index: SuggestionIndex) -> None:
    dirty = "<script>alert('x')</script><b>timbre</b>\x00\x07 fiscal&nbsp;électronique<br/>"
    assert _slugs(index.suggest(dirty))[0] == "timbre-fiscal-electronique"
    assert index.suggest("<div><span></span></div>\x00\x1b") == []


def test_long_text_is_cut_at_2000_characters(index: SuggestionIndex) -> None:
    tail = " duplicata perte vol" * 10
    assert index.suggest("x" * 2000 + tail) == []
    assert index.suggest("timbre fiscal " + "blabla " * 1000)  # still answers


def test_upsert_adds_replaces_and_remove_withdraws(docs: list[ArticleDoc]) -> None:
    index = SuggestionIndex.build(docs)
    new = ArticleDoc(
        slug="velo-cargo",
        title="Puis-je garer mon vélo cargo devant la préfecture ?",
        body="Le stationnement des vélos cargos est possible sur le parvis.",
        audience="public",
        language="fr",
        tags=("vélo", "stationnement"),
    )
    index.upsert(new)
    assert _slugs(index.suggest("garer vélo cargo"))[0] == "velo-cargo"
    index.upsert(replace(new, title="Trottinette électrique : où la garer ?", tags=()))
    assert _slugs(index.suggest("trottinette"))[0] == "velo-cargo"
    index.upsert(replace(new, status="archived"))
    assert "velo-cargo" not in index
    assert "velo-cargo" not in _slugs(index.suggest("garer vélo cargo trottinette"))
    index.remove("mot-de-passe-oublie")
    index.remove("mot-de-passe-oublie")  # idempotent
    assert "mot-de-passe-oublie" not in _slugs(index.suggest("mot de passe oublié", limit=10))
    assert len(index) == len(docs) - 1


def test_upsert_matches_a_fresh_build(docs: list[ArticleDoc]) -> None:
    live = SuggestionIndex.build(docs[:40])
    for doc in docs[40:]:
        live.upsert(doc)
    fresh = SuggestionIndex.build(docs)
    for question in ("titre fabriqué sans sms", "rendez-vous préfecture", "asile ofpra"):
        assert live.suggest(question) == fresh.suggest(question)


def test_prior_is_a_mild_boost(index: SuggestionIndex) -> None:
    question = "attestation prolongation instruction"
    plain = index.suggest(question, limit=5)
    second = plain[1].slug
    boosted = index.suggest(question, limit=5, prior={second: 50.0})
    assert _slugs(boosted).index(second) <= 1
    assert boosted[0].score <= 1.0
    weak = index.suggest(question, limit=5, prior={plain[-1].slug: 1.0})
    assert weak[0].slug == plain[0].slug


def test_unpublished_articles_are_not_indexed(docs: list[ArticleDoc]) -> None:
    draft = replace(docs[0], slug="brouillon", status="draft")
    index = SuggestionIndex.build([*docs, draft])
    assert "brouillon" not in index and len(index) == len(docs)
