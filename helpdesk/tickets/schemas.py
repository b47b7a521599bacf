"""Inputs of the ticket service, validated before anything is written."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from dossiers.catalog import (
    checked_dossier_number,
    is_foreign_number,
    is_procedure,
)
from helpdesk.tickets.models import Channel, Priority


class NewTicket(BaseModel):
    """What it takes to open a ticket, whatever the channel."""

    model_config = ConfigDict(str_strip_whitespace=True)

    channel: Channel
    subject: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    requester_name: str = Field(default="", max_length=200)
    requester_email: EmailStr | None = None
    requester_phone: str | None = Field(default=None, max_length=30)
    requester_foreign_number: str | None = None
    procedure: str | None = None
    category: str | None = Field(default=None, max_length=60)
    priority: Priority = Priority.NORMAL
    dossier_number: str | None = None
    language: str = Field(default="fr", pattern="^(fr|en)$")
    queue_code: str = "ccc"
    site_id: int | None = None

    @field_validator("subject", "requester_name", "requester_phone", "category")
    @classmethod
    def _no_control_characters(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return "".join(ch for ch in value if ch.isprintable())

    @field_validator("body")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return value.replace("\0", "")

    @field_validator("requester_foreign_number")
    @classmethod
    def _foreign_number(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not is_foreign_number(value):
            raise ValueError("Le numéro étranger comporte 10 chiffres.")
        return value.strip()

    @field_validator("procedure")
    @classmethod
    def _procedure(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not is_procedure(value):
            raise ValueError("Cette téléprocédure n'existe pas dans le catalogue.")
        return value

    @field_validator("dossier_number")
    @classmethod
    def _dossier_number(cls, value: str | None) -> str | None:
        return checked_dossier_number(value)
