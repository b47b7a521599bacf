"""The DossierSource interface: how the helpdesk reads dossiers, whatever system holds them."""

from __future__ import annotations

from typing import Protocol

from dossiers.model import Dossier


class DossierUnavailableError(Exception):
    """The dossier system cannot answer now (down, slow, garbage, circuit open)."""


class DossierSource(Protocol):
    """Read-only access to the dossiers of the téléprocédures."""

    def get(self, number: str) -> Dossier | None:
        """The dossier with this number, None when it does not exist."""
        ...

    def by_foreign_number(self, foreign_number: str) -> list[Dossier]:
        """The dossiers of a numéro étranger (possibly none)."""
        ...


class UnconfiguredSource:
    """The source used when no dossier service is configured: always unavailable."""

    def get(self, number: str) -> Dossier | None:
        """Never answers."""
        raise DossierUnavailableError("aucun service de dossiers configuré")

    def by_foreign_number(self, foreign_number: str) -> list[Dossier]:
        """Never answers."""
        raise DossierUnavailableError("aucun service de dossiers configuré")
