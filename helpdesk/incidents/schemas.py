"""Forms of incidents and release notes, checked before anything is written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, field_validator

from dossiers.catalog import is_procedure
from helpdesk.incidents.models import IncidentStatus
from helpdesk.web.forms import WebForm

PARIS = ZoneInfo("Europe/Paris")

DEFAULT_USAGER_REPLY = (
    "Bonjour {nom},\n\nL'incident technique « {incident} » qui perturbait votre démarche est "
    "résolu. Vous pouvez de nouveau utiliser le service en ligne ; si la difficulté persiste, "
    "répondez à ce message en rappelant la référence {reference}.\n\n"
    "Cordialement,\nLe centre de contact citoyen ANEF"
)
DEFAULT_REFERENT_MESSAGE = (
    "Bonjour,\n\nL'incident « {incident} » auquel votre signalement {reference} a été rattaché "
    "est résolu. Merci de nous indiquer dans ce fil si le problème persiste sur votre site."
    "\n\nLa DP ANEF"
)


def _moment(value: object) -> object:
    """A date-time typed in a form (Paris time), or None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise ValueError("Indiquez une date et une heure valides.") from error
        return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
    return value


def _procedures(values: list[str]) -> list[str]:
    """Known téléprocédure codes, without repeats."""
    unknown = [v for v in values if not is_procedure(v)]
    if unknown:
        raise ValueError("Choisissez les téléprocédures dans la liste.")
    return list(dict.fromkeys(values))


class IncidentForm(WebForm):
    """An incident as DP ANEF records or updates it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=5, max_length=200)
    description: str = Field(min_length=10, max_length=10_000)
    procedures: list[str] = Field(default_factory=list)
    all_sites: bool = True
    sites: list[str] = Field(default_factory=list)
    started_at: datetime | None = None
    status: IncidentStatus = IncidentStatus.ONGOING
    workaround: str = Field(default="", max_length=10_000)

    @field_validator("procedures")
    @classmethod
    def _check_procedures(cls, value: list[str]) -> list[str]:
        return _procedures(value)

    @field_validator("started_at", mode="before")
    @classmethod
    def _check_started(cls, value: object) -> object:
        return _moment(value)

    @field_validator("status")
    @classmethod
    def _not_resolved(cls, value: IncidentStatus) -> IncidentStatus:
        if value == IncidentStatus.RESOLVED:
            raise ValueError("Utilisez « Résoudre l'incident » pour prévenir les demandeurs.")
        return value


class ReleaseForm(WebForm):
    """A release note (mise en production)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=5, max_length=200)
    released_on: datetime | None = None
    procedures: list[str] = Field(default_factory=list)
    all_sites: bool = True
    sites: list[str] = Field(default_factory=list)
    changes: str = Field(min_length=5, max_length=20_000)
    known_issues: str = Field(default="", max_length=10_000)

    @field_validator("procedures")
    @classmethod
    def _check_procedures(cls, value: list[str]) -> list[str]:
        return _procedures(value)

    @field_validator("released_on", mode="before")
    @classmethod
    def _check_released(cls, value: object) -> object:
        return _moment(value)


class ResolutionForm(WebForm):
    """The texts posted on the linked tickets when an incident is resolved."""

    model_config = ConfigDict(str_strip_whitespace=True)

    usager_reply: str = Field(min_length=10, max_length=10_000)
    referent_message: str = Field(min_length=10, max_length=10_000)
