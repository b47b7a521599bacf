"""What a machine client may be allowed to call (its scopes), and who is calling."""

from __future__ import annotations

from dataclasses import dataclass

CONTACT_WRITE = "contact:write"
DOSSIER_EVENTS_WRITE = "dossier-events:write"

# Each scope with the French label the administration page shows.
SCOPES: dict[str, str] = {
    CONTACT_WRITE: "Transmettre des demandes d'usagers (POST /api/v1/contact)",
    DOSSIER_EVENTS_WRITE: "Envoyer des changements de statut de dossier "
    "(POST /api/v1/dossier-events)",
}


@dataclass(frozen=True)
class Caller:
    """The machine client behind an authenticated request, and the secret it used."""

    client_id: int
    name: str
    scopes: frozenset[str]
    secret_id: int
    touch_due: bool = False  # its secret's last use is to be written (see note_use)
