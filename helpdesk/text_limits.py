"""How long the texts people type may be: one table, checked where each text is saved.

The database would take a novel in a note (SQLite) or refuse it with a bare error; a person
should instead see, beside the field, that the text is too long and by how much.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from helpdesk.errors import ValidationFailedError

MESSAGE_MAX = 20_000  # a reply, a note, a higher level's answer, a canned response
SUMMARY_MAX = 5_000  # each part of a hand-over's summary (reason, checked, question)
REASON_MAX = 2_000  # the reason of a status change, a merge, a link, a meeting's note
TITLE_MAX = 200  # titles and labels
TAG_MAX = 40  # a ticket's tag (étiquette)

MSG_TOO_LONG = "Un texte est trop long : raccourcissez-le (rien n'a été enregistré)."


def too_long_message(length: int, limit: int) -> str:
    """The French sentence beside a field whose text is too long."""
    return (
        f"Ce texte compte {format_decimal(length, locale='fr_FR')} caractères ; "
        f"{format_decimal(limit, locale='fr_FR')} au plus."
    )


def check_lengths(limits: dict[str, tuple[str | None, int]]) -> None:
    """Refuse (422, nothing saved) when a field's text exceeds its limit: {field: (text, limit)}."""
    errors = {
        name: too_long_message(len(text), limit)
        for name, (text, limit) in limits.items()
        if text is not None and len(text) > limit
    }
    if errors:
        raise ValidationFailedError(MSG_TOO_LONG, field_errors=errors)


# The same limits for the pages' `maxlength` attributes (`limits.message` in a template).
TEMPLATE_LIMITS = {
    "message": MESSAGE_MAX,
    "summary": SUMMARY_MAX,
    "reason": REASON_MAX,
    "title": TITLE_MAX,
    "tag": TAG_MAX,
}
