"""What a dossier carries: the API contract between the helpdesk and the dossier systems."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dossiers.catalog import FOREIGN_NUMBER_RE, normalise_dossier_number

AttestationKind = Literal[
    "depot", "prolongation_instruction", "decision_favorable", "recepisse_completude"
]
ATTESTATION_LABELS = {
    "depot": "Attestation de dépôt",
    "prolongation_instruction": "Attestation de prolongation d'instruction",
    "decision_favorable": "Attestation de décision favorable",
    "recepisse_completude": "Récépissé de complétude",
}
ALERT_DAYS = 15


class Contract(BaseModel):
    """Common settings: unknown fields are tolerated (the API may grow), types are not."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class StatusEvent(Contract):
    """One line of a dossier's timeline: the status it entered and when."""

    status: str = Field(min_length=1, max_length=40)
    label: str = Field(max_length=200, description="Libellé du statut pour les agents.")
    at: datetime


class RequestedDocument(Contract):
    """A document the administration asked the usager for."""

    label: str = Field(min_length=1, max_length=200)
    requested_on: date
    due_on: date
    received: bool = False


class Attestation(Contract):
    """An attestation issued on the dossier, with the end of its validity if it has one."""

    kind: AttestationKind
    issued_on: date
    valid_until: date | None = None

    @property
    def label(self) -> str:
        """Its French name."""
        return ATTESTATION_LABELS[self.kind]

    def alert(self, today: date) -> Literal["expired", "ending_soon"] | None:
        """Whether this attestation de prolongation has expired or ends within 15 days."""
        if self.kind != "prolongation_instruction" or self.valid_until is None:
            return None
        if self.valid_until < today:
            return "expired"
        if self.valid_until <= today + timedelta(days=ALERT_DAYS):
            return "ending_soon"
        return None


class Dossier(Contract):
    """A dossier of a téléprocédure as the dossier systems describe it."""

    number: str = Field(description="Numéro de demande (19 chiffres) ou NA-2025-004217.")
    procedure: str = Field(max_length=40, description="Code de la téléprocédure.")
    status: str = Field(min_length=1, max_length=40)
    status_label: str = Field(max_length=200, description="Libellé du statut pour les agents.")
    status_words: str = Field(max_length=500, description="Le statut en mots simples (usager).")
    site: str = Field(max_length=200, description="Préfecture ou plateforme.")
    foreign_number: str = Field(description="Numéro étranger (10 chiffres).")
    contact_email: str = Field(max_length=254)
    filed_on: date | None = None
    updated_at: datetime
    timeline: list[StatusEvent] = Field(default_factory=list)
    documents_requested: list[RequestedDocument] = Field(default_factory=list)
    attestations: list[Attestation] = Field(default_factory=list)

    @field_validator("number")
    @classmethod
    def _number_format(cls, value: str) -> str:
        normal = normalise_dossier_number(value)
        if normal is None:
            raise ValueError("numéro de dossier au format inconnu")
        return normal

    @field_validator("foreign_number")
    @classmethod
    def _foreign_number_format(cls, value: str) -> str:
        if not FOREIGN_NUMBER_RE.match(value):
            raise ValueError("le numéro étranger comporte 10 chiffres")
        return value

    def matches_email(self, email: str | None) -> bool:
        """Whether this e-mail is the dossier's contact e-mail (case and spaces ignored)."""
        return bool(email) and same_email(self.contact_email, email or "")

    def attestation_alerts(self, today: date) -> list[tuple[Attestation, str]]:
        """The attestations de prolongation that expired or end within 15 days."""
        found = [(a, a.alert(today)) for a in self.attestations]
        return [(a, alert) for a, alert in found if alert is not None]


class DossierList(Contract):
    """The dossiers of a numéro étranger."""

    items: list[Dossier]


class DossierEvent(BaseModel):
    """A status change posted to the helpdesk's webhook, signed by the dossier system."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Identifiant unique.",
    )
    type: Literal["dossier.status_changed"] = "dossier.status_changed"
    occurred_at: datetime
    dossier_number: str
    procedure: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str = Field(min_length=1, max_length=40)
    contact_email: str | None = Field(default=None, max_length=254)

    @field_validator("dossier_number")
    @classmethod
    def _number_format(cls, value: str) -> str:
        normal = normalise_dossier_number(value)
        if normal is None:
            raise ValueError("numéro de dossier au format inconnu")
        return normal


def same_email(first: str, second: str) -> bool:
    """Two e-mail addresses are the same mailbox (case and surrounding spaces ignored)."""
    return first.strip().casefold() == second.strip().casefold()
