"""The contact form's fields and their validation, shared by the web form and the partner API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from dossiers.catalog import CATALOG, is_foreign_number, is_procedure, normalise_dossier_number
from helpdesk.i18n import N_, t
from helpdesk.web.forms import WebForm

REASONS: tuple[tuple[str, str], ...] = (
    ("demarche", N_("Question sur ma démarche")),
    ("compte", N_("Compte ou problème technique")),
    ("attestation", N_("Attestation")),
    ("rendez-vous", N_("Rendez-vous ou remise du titre")),
    ("autre", N_("Autre")),
)
REASON_CODES = frozenset(code for code, _label in REASONS)
MESSAGE_MIN, MESSAGE_MAX = 20, 5_000
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{5,24}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
LINE_BREAKS_RE = re.compile(r"[\r\n\u2028\u2029\x85]")


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form: its name, limits and the description the API schema shows."""

    name: str
    required: bool
    max_length: int
    description: str


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("last_name", True, 100, "Nom de famille."),
    FieldSpec("first_name", True, 100, "Prénom."),
    FieldSpec("email", True, 254, "Adresse électronique de l'usager (accusé de réception)."),
    FieldSpec("phone", False, 25, "Téléphone (facultatif)."),
    FieldSpec("foreign_number", False, 10, "Numéro étranger AGDREF : 10 chiffres (facultatif)."),
    FieldSpec(
        "dossier_number",
        False,
        30,
        "Numéro de demande séjour (19 chiffres) ou de dossier de naturalisation "
        "(NA-2025-004217) (facultatif).",
    ),
    FieldSpec("procedure", True, 40, "Code de la téléprocédure du catalogue (ex. etudiant)."),
    FieldSpec("reason", True, 20, "Motif : " + ", ".join(sorted(REASON_CODES)) + "."),
    FieldSpec("subject", True, 150, "Objet de la demande (3 à 150 caractères)."),
    FieldSpec("message", True, MESSAGE_MAX, "Message (20 à 5 000 caractères)."),
    FieldSpec("language", False, 2, "Langue des réponses : fr (par défaut) ou en."),
)
TEXT_FIELDS = tuple(spec.name for spec in FIELDS)
SINGLE_LINE = frozenset(TEXT_FIELDS) - {"message"}

MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_TOO_LONG = N_("Ce champ est trop long : %(max)s caractères au maximum.")
MSG_EMAIL = N_("Indiquez une adresse électronique valide, par exemple nom@domaine.fr.")
MSG_PHONE = N_("Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78.")
MSG_FOREIGN = N_("Le numéro étranger comporte 10 chiffres, sans espace.")
MSG_DOSSIER = N_(
    "Le numéro de demande comporte 19 chiffres ; pour la naturalisation, "
    "il a la forme NA-2025-004217."
)
MSG_PROCEDURE = N_("Choisissez la téléprocédure concernée dans la liste.")
MSG_REASON = N_("Choisissez le motif de votre demande dans la liste.")
MSG_SUBJECT = N_("L'objet doit comporter entre 3 et 150 caractères.")
MSG_MESSAGE_SHORT = N_("Votre message doit comporter au moins 20 caractères.")
MSG_MESSAGE_LONG = N_("Votre message ne doit pas dépasser 5 000 caractères.")
MSG_CONSENT = N_(
    "Confirmez que vous avez pris connaissance de la notice de protection des données."
)
MSG_LINE_BREAK = N_("Ce champ tient sur une seule ligne.")


@dataclass(frozen=True)
class ContactData:
    """A valid contact request, cleaned and normalised."""

    last_name: str
    first_name: str
    email: str
    procedure: str
    reason: str
    subject: str
    message: str
    language: str = "fr"
    phone: str | None = None
    foreign_number: str | None = None
    dossier_number: str | None = None

    @property
    def full_name(self) -> str:
        """The requester's name as the agents see it."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class Checked:
    """The outcome of validation: the data, or the errors by field (already translated)."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: ContactData | None = None


class ContactRequest(WebForm):
    """The partner API's JSON body (documented here; validated by `check_contact`)."""

    last_name: str
    first_name: str
    email: str
    phone: str | None = None
    foreign_number: str | None = None
    dossier_number: str | None = None
    procedure: str
    reason: str
    subject: str
    message: str
    language: str = "fr"
    privacy_acknowledged: bool


class ContactReceipt(BaseModel):
    """What the partner API answers: the reference and the secret follow-up URL (none for a
    repeat of a send made minutes ago: its link left with the first acknowledgement)."""

    reference: str
    follow_up_url: str | None
    duplicate: bool


def procedure_choices(lang: str) -> list[tuple[str, str]]:
    """The catalog's téléprocédures as (code, label) in the page's language."""
    return [(p.code, t(lang, p.label)) for p in CATALOG]


def reason_choices(lang: str) -> list[tuple[str, str]]:
    """The motifs as (code, label) in the page's language."""
    return [(code, t(lang, label)) for code, label in REASONS]


def raw_values(source: Any) -> dict[str, str]:
    """The text fields of a form or JSON body, as strings (missing ones empty)."""
    values: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = source.get(name) if hasattr(source, "get") else None
        values[name] = value if isinstance(value, str) else "" if value is None else str(value)
    return values


def is_acknowledged(value: Any) -> bool:
    """Whether the data-protection box was ticked (form 'on'/'1', JSON true)."""
    return value is True or (isinstance(value, str) and value.lower() in {"on", "1", "true", "oui"})


def check_contact(values: dict[str, str], *, acknowledged: bool, lang: str) -> Checked:
    """Validate every field at once; errors are explained in the usager's language."""
    cleaned = {name: _clean(name, value) for name, value in values.items()}
    errors: dict[str, str] = {}
    for spec in FIELDS:
        value = values.get(spec.name, "")
        if spec.name in SINGLE_LINE and LINE_BREAKS_RE.search(value.strip()):
            errors[spec.name] = t(lang, MSG_LINE_BREAK)
        elif len(value) > spec.max_length:
            errors[spec.name] = t(lang, MSG_TOO_LONG, max=spec.max_length)
        elif spec.required and not cleaned[spec.name] and not _given_by_dossier(spec, cleaned):
            errors[spec.name] = t(lang, MSG_REQUIRED)
    for name, problem in _format_errors(cleaned).items():
        errors.setdefault(name, t(lang, problem))
    if not acknowledged:
        errors["privacy"] = t(lang, MSG_CONSENT)
    checked = Checked(values=cleaned, errors=errors)
    if not errors:
        checked.data = _build(cleaned)
    return checked


def _given_by_dossier(spec: FieldSpec, values: dict[str, str]) -> bool:
    """The procedure need not be asked when a dossier number is given ("dites-le-nous une fois")."""
    return spec.name == "procedure" and bool(values.get("dossier_number"))


def _clean(name: str, value: str) -> str:
    """Trim, drop NUL and control characters; single-line fields lose nothing else."""
    value = value.replace("\0", "")
    if name == "message":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return CONTROL_RE.sub("", value).strip()
    return CONTROL_RE.sub("", value).strip()


def _format_errors(values: dict[str, str]) -> dict[str, str]:
    """Format checks of the fields that have a value (untranslated messages)."""
    errors: dict[str, str] = {}
    if values["email"] and not _valid_email(values["email"]):
        errors["email"] = MSG_EMAIL
    if values["phone"] and not PHONE_RE.match(values["phone"]):
        errors["phone"] = MSG_PHONE
    if values["foreign_number"] and not is_foreign_number(values["foreign_number"]):
        errors["foreign_number"] = MSG_FOREIGN
    if values["dossier_number"] and normalise_dossier_number(values["dossier_number"]) is None:
        errors["dossier_number"] = MSG_DOSSIER
    if values["procedure"] and not is_procedure(values["procedure"]):
        errors["procedure"] = MSG_PROCEDURE
    if values["reason"] and values["reason"] not in REASON_CODES:
        errors["reason"] = MSG_REASON
    if values["subject"] and not 3 <= len(values["subject"]) <= 150:
        errors["subject"] = MSG_SUBJECT
    message = values["message"]
    if message and len(message) < MESSAGE_MIN:
        errors["message"] = MSG_MESSAGE_SHORT
    elif len(message) > MESSAGE_MAX:
        errors["message"] = MSG_MESSAGE_LONG
    return errors


def _valid_email(value: str) -> bool:
    """Whether the text is one plain e-mail address."""
    if any(ch in value for ch in " ,;<>\"'"):
        return False
    try:
        validate_email(value)
    except (PydanticCustomError, ValueError):
        return False
    return True


def _build(values: dict[str, str]) -> ContactData:
    """The normalised request from valid values."""
    return ContactData(
        last_name=values["last_name"],
        first_name=values["first_name"],
        email=values["email"].lower(),
        procedure=values["procedure"],
        reason=values["reason"],
        subject=values["subject"],
        message=values["message"],
        language="en" if values["language"] == "en" else "fr",
        phone=values["phone"] or None,
        foreign_number=values["foreign_number"] or None,
        dossier_number=normalise_dossier_number(values["dossier_number"])
        if values["dossier_number"]
        else None,
    )
