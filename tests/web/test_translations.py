"""The gettext catalogs: every message an usager may read is extracted, translated, not fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from helpdesk.i18n import LANGUAGES, LOCALE_DIR, t

ROOT = Path(__file__).resolve().parents[2]
# The keywords of `make messages` (pybabel extract -k N_ -k t:2).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "t": (2,)}


def catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def extracted_ids() -> set[str]:
    """The message ids `make messages` would extract now (singular ids of plural messages)."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    )
    return {message if isinstance(message, str) else message[0] for *_, message, _c, _x in found}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_catalog_is_translated_and_not_fuzzy(lang: str):
    problems = []
    messages = catalog(lang)
    for message in messages:
        if not message.id:
            continue  # the header
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(forms):
            problems.append(f"untranslated: {message.id!r}")
    for message, errors in messages.check():  # placeholders that differ from the msgid's
        problems += [f"{message.id!r}: {error}" for error in errors]
    advice = f"{lang} catalog: run `make messages`, then translate:\n"
    assert problems == [], advice + "\n".join(problems)


def test_the_catalogs_hold_every_message_the_sources_mark():
    wanted = extracted_ids()
    assert "Centre d'aide" in wanted and "Protection internationale" in wanted
    for lang in LANGUAGES:
        held = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lang) if m.id}
        missing = sorted(wanted - held)
        assert missing == [], f"{lang}: not in the catalog (run `make messages`): {missing}"


def test_labels_shown_to_usagers_come_from_the_catalogs():
    from dossiers.catalog import CATALOG
    from dossiers.states import NATURALISATION, SEJOUR

    assert t("en", "Protection internationale") == "International protection"
    assert t("en", "Centre d'aide") == "Help centre"
    english = {t("en", p.label) for p in CATALOG}
    assert not english & {p.label for p in CATALOG}, "a procedure has no English label"
    for state in SEJOUR.states + NATURALISATION.states:
        assert t("en", state.usager_label) != state.usager_label, state.code
        assert t("fr", state.usager_label) == state.usager_label
