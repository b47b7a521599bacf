"""Moving a dossier through its state machine, with what each step issues or requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dossiers.model import Dossier
from dossiers.states import machine_for

PROLONGATION_DAYS = 90
DOCUMENTS_DUE_DAYS = 30
REQUESTED_DOCUMENTS = (
    "Justificatif de domicile de moins de trois mois",
    "Copie intégrale de l'acte de naissance",
    "Photographie d'identité conforme",
    "Contrat de travail signé",
    "Dernier avis d'imposition",
)


class InvalidMoveError(Exception):
    """The dossier cannot move to that status from where it stands."""


def new_parts(
    *, number: str, procedure: str, site: str, foreign_number: str, contact_email: str
) -> dict[str, Any]:
    """The fields of a dossier not yet in any status (enter its first status next)."""
    return {
        "number": number,
        "procedure": procedure,
        "site": site,
        "foreign_number": foreign_number,
        "contact_email": contact_email,
        "filed_on": None,
        "timeline": [],
        "documents_requested": [],
        "attestations": [],
    }


def enter(parts: dict[str, Any], status: str, at: datetime) -> None:
    """Put the dossier in a status: timeline line, labels, and what that status issues."""
    procedure = parts["procedure"]
    state = machine_for(procedure).state(status)
    if state is None:
        raise InvalidMoveError(f"statut inconnu : {status}")
    parts["timeline"].append({"status": status, "label": state.agent_label, "at": at})
    parts.update(
        status=status,
        status_label=state.agent_label,
        status_words=state.usager_label,
        updated_at=at,
    )
    _issue(parts, status, at)


def _issue(parts: dict[str, Any], status: str, at: datetime) -> None:
    """Attestations and document requests brought by entering a status."""
    day = at.date()
    naturalisation = machine_for(parts["procedure"]).name == "naturalisation"
    if status == "depose":
        parts["filed_on"] = day
        parts["attestations"].append({"kind": "depot", "issued_on": day})
    elif status == "instruction" and naturalisation:
        parts["attestations"].append({"kind": "recepisse_completude", "issued_on": day})
    elif status == "instruction":
        for document in parts["documents_requested"]:
            document["received"] = True
        parts["attestations"].append(
            {
                "kind": "prolongation_instruction",
                "issued_on": day,
                "valid_until": day + timedelta(days=PROLONGATION_DAYS),
            }
        )
    elif status == "complements_demandes":
        offset = len(parts["timeline"]) + len(parts["number"])
        for label in (REQUESTED_DOCUMENTS[offset % 5], REQUESTED_DOCUMENTS[(offset + 2) % 5]):
            parts["documents_requested"].append(
                {
                    "label": label,
                    "requested_on": day,
                    "due_on": day + timedelta(days=DOCUMENTS_DUE_DAYS),
                }
            )
    elif status == "decision_favorable":
        parts["attestations"].append({"kind": "decision_favorable", "issued_on": day})


def advance(dossier: Dossier, *, to_status: str | None, at: datetime) -> Dossier:
    """The dossier moved to `to_status`, or to its usual next status when none is given."""
    options = machine_for(dossier.procedure).next_states(dossier.status)
    if not options:
        raise InvalidMoveError(f"le statut « {dossier.status_label} » est un statut final")
    target = to_status or options[0]
    if target not in options:
        allowed = ", ".join(options)
        raise InvalidMoveError(f"passage à « {target} » impossible ; statuts possibles : {allowed}")
    parts = dossier.model_dump(mode="python")
    enter(parts, target, at)
    return Dossier.model_validate(parts)
