"""Articles: front matter parsing, Markdown stripping and the dump/load round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.corpus import (
    ArticleDoc,
    ArticleFormatError,
    dump_article,
    load_articles,
    parse_article,
    strip_markdown,
)

SEED = Path(__file__).resolve().parents[2] / "knowledge_base" / "seed"


def test_seed_articles_load_with_their_metadata() -> None:
    docs = load_articles(SEED)
    assert len(docs) >= 70
    by_slug = {d.slug: d for d in docs}
    doc = by_slug["mot-de-passe-oublie"]
    assert doc.audience == "public" and doc.language == "fr"
    assert doc.procedures == ("compte",)
    assert "mot-de-passe" in doc.tags
    assert doc.body.startswith("Vous pouvez")
    assert {d.audience for d in docs} == {"public", "agents", "referents"}
    assert {d.language for d in docs} == {"fr", "en"}


def test_every_seed_article_round_trips() -> None:
    for doc in load_articles(SEED):
        assert parse_article(dump_article(doc)) == doc


def test_round_trip_keeps_special_characters_and_status() -> None:
    doc = ArticleDoc(
        slug="essai",
        title="Titre : « guillemets » – tiret, l'apostrophe ?",
        body="**Gras** et [lien](https://example.org)\n\n- point",
        audience="agents",
        language="fr",
        procedures=("compte", "asile"),
        tags=("a-b", "c"),
        status="archived",
    )
    assert parse_article(dump_article(doc)) == doc


def test_strip_markdown_keeps_words_only() -> None:
    plain = strip_markdown("# Titre\n**Gras** et [le lien](http://x.y)\n1. un\n- deux `code`")
    assert "**" not in plain and "](" not in plain and "#" not in plain
    for word in ("Titre", "Gras", "le lien", "un", "deux", "code"):
        assert word in plain


def test_missing_front_matter_is_refused() -> None:
    with pytest.raises(ArticleFormatError):
        parse_article("no front matter here")
    with pytest.raises(ArticleFormatError):
        parse_article("---\ntitle: no slug\n---\nbody")
