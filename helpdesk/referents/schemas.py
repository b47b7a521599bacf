"""The signalement form: what a référent sends, checked field by field."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, field_validator

from dossiers.catalog import checked_dossier_number, is_procedure
from helpdesk.referents.models import ReportKind, Severity
from helpdesk.tickets.models import Priority
from helpdesk.web.forms import WebForm

PARIS = ZoneInfo("Europe/Paris")
MAX_AFFECTED = 1_000_000
PRIORITY_BY_SEVERITY = {
    Severity.BLOCKING: Priority.URGENT,
    Severity.ANNOYING: Priority.NORMAL,
    Severity.MINOR: Priority.LOW,
}
FIELD_LABELS = {
    "kind": "Type de signalement",
    "procedure": "Téléprocédure",
    "severity": "Gravité",
    "affected_count": "Nombre d'usagers concernés",
    "dossier_number": "Numéro de demande concerné",
    "occurred_at": "Date et heure de survenue",
    "browser": "Navigateur",
    "subject": "Objet",
    "description": "Description",
    "steps": "Étapes pour reproduire",
}
# The incident and release-note forms share field_errors: their fields' labels.
OTHER_FIELD_LABELS = {
    "title": "Titre",
    "started_at": "Début",
    "status": "Statut",
    "workaround": "Contournement",
    "procedures": "Téléprocédures concernées",
    "sites": "Sites concernés",
    "released_on": "Date de mise en production",
    "changes": "Changements",
    "known_issues": "Problèmes connus",
    "usager_reply": "Réponse aux usagers",
    "referent_message": "Message aux référents",
}


class ReportForm(WebForm):
    """A signalement as typed in the form (strings), validated into typed values."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: ReportKind
    procedure: str
    severity: Severity
    affected_count: int = Field(default=0, ge=0, le=MAX_AFFECTED)
    dossier_number: str | None = None
    occurred_at: datetime | None = None
    browser: str = Field(default="", max_length=200)
    subject: str = Field(min_length=5, max_length=200)
    description: str = Field(min_length=10, max_length=20_000)
    steps: str = Field(default="", max_length=10_000)

    @field_validator("procedure")
    @classmethod
    def _procedure(cls, value: str) -> str:
        if not is_procedure(value):
            raise ValueError("Choisissez la téléprocédure concernée dans la liste.")
        return value

    @field_validator("dossier_number")
    @classmethod
    def _dossier_number(cls, value: str | None) -> str | None:
        return checked_dossier_number(value)

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _occurred_at(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError as error:
                raise ValueError(
                    "Indiquez la date et l'heure sous la forme jj/mm/aaaa hh:mm."
                ) from error
            return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
        return value

    @field_validator("occurred_at")
    @classmethod
    def _not_in_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > datetime.now(PARIS):
            raise ValueError("La date de survenue ne peut pas être dans le futur.")
        return value

    @field_validator("subject", "browser")
    @classmethod
    def _printable(cls, value: str) -> str:
        return "".join(ch for ch in value if ch.isprintable())

    @field_validator("description", "steps")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return value.replace("\0", "")

    @property
    def priority(self) -> Priority:
        """The ticket priority that the severity gives."""
        return PRIORITY_BY_SEVERITY[self.severity]

    def first_message(self) -> str:
        """The text of the ticket's first message: the description, then the steps."""
        if not self.steps:
            return self.description
        return f"{self.description}\n\nÉtapes pour reproduire :\n{self.steps}"


def field_errors(error: Exception) -> dict[str, str]:
    """One French message per field from a pydantic ValidationError."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return {}
    messages: dict[str, str] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "form"
        messages.setdefault(name, _message(name, item))
    return messages


def _message(name: str, item: object) -> str:
    """A French message for one pydantic error."""
    assert isinstance(item, dict)
    kind = item.get("type", "")
    label = FIELD_LABELS.get(name) or OTHER_FIELD_LABELS.get(name, name)
    if kind == "value_error":
        return str(item.get("msg", "")).removeprefix("Value error, ")
    if kind in ("string_too_short", "missing"):
        return f"{label} : ce champ est à compléter."
    if kind == "string_too_long":
        return f"{label} : le texte est trop long."
    if kind == "enum":
        return f"{label} : choisissez une valeur dans la liste."
    if kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        return f"{label} : indiquez un nombre entier entre 0 et {MAX_AFFECTED}."
    return f"{label} : valeur incorrecte."
