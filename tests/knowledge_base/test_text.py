"""Normalisation: accents, case, elisions, abbreviations, stop words, stemming, cleaning."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from knowledge_base import text


def test_fold_lowercases_and_strips_accents() -> None:
    assert text.fold("Préfecture DÉMÉNAGÉ Œuvre") == "prefecture demenage oeuvre"


def test_words_drop_elisions() -> None:
    assert text.words("L'attestation d'instruction qu'il m'a j'ai") == [
        "attestation",
        "instruction",
        "il",
        "a",
        "ai",
    ]


def test_typographic_apostrophe_is_an_elision_too() -> None:
    assert text.words("l’attestation") == ["attestation"]


def test_abbreviations_are_expanded() -> None:
    assert text.query_words("mdp perdu") == ["mot", "passe", "perdu"]
    assert text.query_words("rdv pref") == ["rendez", "prefecture"]
    assert "titre" in text.query_words("mon tds")
    assert "probleme" in text.query_words("gros pb")


def test_sms_spelling_is_understood() -> None:
    assert text.query_words("c koi le pb") == ["probleme"]
    assert text.query_words("jai tjr rien reçu") == ["recu"]


def test_stop_words_and_greetings_are_dropped() -> None:
    assert text.query_words("Bonjour, je voudrais savoir merci") == []
    assert text.query_words("hello, what is the password please") == ["password"]


def test_short_numbers_are_dropped_long_ones_kept() -> None:
    assert text.query_words("le 12 en 2026") == ["2026"]


def test_stemming_merges_inflections() -> None:
    assert text.stem("renouvellement") == text.stem("renouveler")
    assert text.stem("demenage") == text.stem("demenager")
    assert text.stem("permits", "en") == text.stem("permit", "en")


def test_analyze_gives_stemmed_terms_without_stop_words() -> None:
    assert text.analyze("Les titres de séjour", "fr") == [text.stem("titres"), "sejour"]


def test_synonyms_cover_everyday_equivalents() -> None:
    found = {" ".join(alt) for _, alt, _ in text.synonyms_of(["carte", "sejour"])}
    assert "titre sejour" in found
    found = {" ".join(alt) for _, alt, _ in text.synonyms_of(["perdu"])}
    assert "perte" in found
    found = {" ".join(alt) for _, alt, _ in text.synonyms_of(["login"])}
    assert "identifiant" in found


def test_clean_strips_html_and_control_characters() -> None:
    cleaned = text.clean("<script>alert(1)</script><b>titre</b>\x00\x1b de&nbsp;séjour")
    assert "alert" not in cleaned
    assert "<" not in cleaned and "\x00" not in cleaned and "\x1b" not in cleaned
    assert text.query_words(cleaned) == ["titre", "sejour"]


def test_clean_cuts_long_text() -> None:
    assert len(text.clean("a" * 10_000)) == text.MAX_QUERY_CHARS


@given(st.text(max_size=300))
def test_query_words_never_fail_and_stay_folded(raw: str) -> None:
    for word in text.query_words(raw):
        assert word == text.fold(word)
        assert word.isalnum()
