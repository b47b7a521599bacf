"""Languages of the public pages: gettext catalogs (Babel) and the language of a request.

Every string an usager reads (contact form, follow-up page, help centre, e-mails, the labels of
procedures and dossier statuses) is a French msgid translated through these catalogs: `_` and
`ngettext` in templates, `t(lang, ...)` in Python and templates, `N_` to mark a message that is
translated where it is shown (see babel.cfg and `make messages`)."""

from __future__ import annotations

from functools import lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def language(value: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A supported language code; anything else is the default (French unless told)."""
    if value in LANGUAGES:
        return str(value)
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The catalog of a language: the compiled .mo when up to date, else the .po compiled now."""
    folder = LOCALE_DIR / language(lang) / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if not po_path.exists():
        return NullTranslations()
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language(lang), domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def t(lang: str, message: str, **variables: Any) -> str:
    """The message in this language, with %(name)s variables filled in."""
    text = translations(language(lang)).gettext(message)
    return text % variables if variables else text


def preferred_language(query: str | None, accept_language: str | None) -> str:
    """The language asked in the query string, else the browser's first supported one."""
    if query in LANGUAGES:
        return str(query)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


@pass_context
def jinja_gettext(context: Any, message: str) -> str:
    """gettext for templates, in the language of the page (its `lang` variable)."""
    return translations(language(context.get("lang"))).gettext(message)


@pass_context
def jinja_translate(context: Any, message: str | None) -> str:
    """The `translate` filter: a message id held in a variable (a label marked with N_, words
    from another service) in the language of the page; text without a translation is shown
    as it is, and never read as a format string."""
    if not message:
        return ""
    return translations(language(context.get("lang"))).gettext(str(message))


@pass_context
def jinja_ngettext(context: Any, singular: str, plural: str, count: int) -> str:
    """ngettext for templates, in the language of the page."""
    return translations(language(context.get("lang"))).ngettext(singular, plural, count)
