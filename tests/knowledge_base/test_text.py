"""Normalisation: accents, case, elisions, abbreviations, stop words, stemming, cleaning."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from knowledge_base import query, text


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
    assert query.query_words("mdp perdu") == ["mot", "passe", "perdu"]
    assert query.query_words("rdv pref") == ["rendez", "prefecture"]
    assert "titre" in query.query_words("mon tds")
    assert "probleme" in query.query_words("gros pb")


def test_sms_spelling_is_understood() -> None:
    assert query.query_words("c koi le pb") == ["probleme"]
    assert query.query_words("jai tjr rien reçu") == ["recu"]


def test_stop_words_and_greetings_are_dropped() -> None:
    assert query.query_words("Bonjour, je voudrais savoir merci") == []
    assert query.query_words("hello, what is the password please") == ["password"]


def test_short_numbers_are_dropped_long_ones_kept() -> None:
    assert query.query_words("le 12 en 2026") == ["2026"]


def test_stemming_merges_inflections() -> None:
    assert text.stem("renouvellement") == text.stem("renouveler")
    assert text.stem("demenage") == text.stem("demenager")
    assert text.stem("permits", "en") == text.stem("permit", "en")


def test_analyze_gives_stemmed_terms_without_stop_words() -> None:
    assert text.analyze("Les titres de séjour", "fr") == [text.stem("titres"), "sejour"]


def test_synonyms_cover_everyday_equivalents() -> None:
    found = {" ".join(alt) for _, alt, _ in query.synonyms_of(["carte", "sejour"])}
    assert "titre sejour" in found
    found = {" ".join(alt) for _, alt, _ in query.synonyms_of(["perdu"])}
    assert "perte" in found
    found = {" ".join(alt) for _, alt, _ in query.synonyms_of(["login"])}
    assert "identifiant" in found


def test_clean_strips_html_and_control_characters() -> None:
    cleaned = text.clean("<script>alert(1)</script><b>titre</b>\x00\x1b de&nbsp;séjour")
    assert "alert" not in cleaned
    assert "<" not in cleaned and "\x00" not in cleaned and "\x1b" not in cleaned
    assert query.query_words(cleaned) == ["titre", "sejour"]


def test_clean_cuts_long_text() -> None:
    assert len(text.clean("a" * 10_000)) == text.MAX_QUERY_CHARS


@given(st.text(max_size=300))
def test_query_words_never_fail_and_stay_folded(raw: str) -> None:
    for word in query.query_words(raw):
        assert word == text.fold(word)
        assert text.words(word) == [word]


# --- the shared normalisation: folding, words, stop words, stemming ---------------------


def test_fold_strips_every_french_accent() -> None:
    assert text.fold("àâä éèêë îï ôö ùûü ÿ ç ÀÂÄ ÉÈÊË ÎÏ ÔÖ ÙÛÜ Ÿ Ç") == (
        "aaa eeee ii oo uuu y c aaa eeee ii oo uuu y c"
    )


def test_fold_transliterates_ligatures_and_special_latin_letters() -> None:
    assert text.fold("cœur Œdipe Lætitia ÆSOP Straße Søren Łódź Đorđe Þór") == (
        "coeur oedipe laetitia aesop strasse soren lodz dorde thor"
    )
    assert text.fold("ﬁn Ｂｏｎｊｏｕｒ x²") == "fin bonjour x2"  # compatibility forms


def test_fold_unifies_typographic_apostrophes_quotes_and_dashes() -> None:
    assert text.fold("l’état l‘état lʼétat") == "l'etat l'etat l'etat"
    assert text.fold("“titre” — séjour – pièce‐jointe") == '"titre" - sejour - piece-jointe'
    words = text.words("l’attestation «titre» — c’est qu’il")
    assert words == ["attestation", "titre", "est", "il"]


def test_fold_keeps_letters_of_other_scripts() -> None:
    assert text.fold("Иван ПЕТРОВ") == "иван петров"
    assert text.fold("محمد") == "محمد"
    assert text.fold("مُحَمَّد") == "محمد"  # optional Arabic vowel marks go, letters stay
    assert text.fold("北京 한국어") == "北京 한국어"
    assert text.words("Иван, محمد et हिन्दी : 北京") == ["иван", "محمد", "et", "हिन्दी", "北京"]
    assert text.tokens("Иван Петров محمد") == ["иван", "петров", "محمد"]


def test_fold_keeps_digits_and_ascii_unchanged() -> None:
    assert text.fold("ANEF-2026-000123") == "anef-2026-000123"
    assert text.words("n° 9403202606060001234") == ["n", "9403202606060001234"]
    assert text.tokens("ANEF-2026-000123") == ["anef", "2026", "000123"]


def test_unaccent_keeps_case() -> None:
    assert text.unaccent("Œuvre Łódź relevé Паспорт") == "Oeuvre Lodz releve Паспорт"


def test_stop_words_are_dropped_from_tokens() -> None:
    assert text.is_stop_word("le") and text.is_stop_word("the") and text.is_stop_word("x")
    assert not text.is_stop_word("7") and not text.is_stop_word("titre")
    assert text.tokens("Je ne l'ai jamais reçu, s'il vous plaît") == [text.stem("recu")]


def test_stemming_merges_plurals_and_verb_forms() -> None:
    assert text.tokens("titres") == text.tokens("titre")
    assert text.tokens("préfectures") == text.tokens("Préfecture")
    assert text.tokens("naturalisations") == text.tokens("naturalisation")
    verbs = ["demander", "demandé", "demande", "demandez", "demandait", "demandaient"]
    assert {tuple(text.tokens(verb)) for verb in verbs} == {("demand",)}
    assert text.tokens("renouvelle") == text.tokens("renouvelé") == text.tokens("renouveler")
    assert text.tokens("bureaux") == text.tokens("bureau")


@given(st.text(max_size=200))
def test_fold_is_idempotent_and_words_are_stable(raw: str) -> None:
    folded = text.fold(raw)
    assert text.fold(folded) == folded
    for word in text.words(raw):
        assert text.words(word) == [word]
