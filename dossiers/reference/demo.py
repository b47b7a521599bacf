"""About 200 demo dossiers over every procedure and status, the same on every run of a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dossiers.catalog import CATALOG
from dossiers.model import Dossier
from dossiers.reference.lifecycle import enter, new_parts
from dossiers.reference.store import DossierStore
from dossiers.states import machine_for

DEMO_COUNT = 200
PROCEDURES = tuple(p.code for p in CATALOG if p.code != "compte")
PREFECTURES = (
    ("7501", "Préfecture de police de Paris"),
    ("6901", "Préfecture du Rhône"),
    ("6701", "Préfecture du Bas-Rhin"),
    ("9711", "Préfecture de la Guadeloupe"),
    ("9301", "Préfecture de la Seine-Saint-Denis"),
    ("4401", "Préfecture de la Loire-Atlantique"),
)
PLATFORMS = (
    ("NA", "Plateforme de naturalisation de Nantes"),
    ("TO", "Plateforme de naturalisation de Toulouse"),
    ("RE", "Plateforme de naturalisation de Rennes"),
    ("NN", "Plateforme de naturalisation de Nanterre"),
    ("CF", "Plateforme de naturalisation de Clermont-Ferrand"),
    ("CR", "Plateforme de naturalisation de Créteil"),
)


@dataclass(frozen=True)
class Pinned:
    """A demo dossier of a demo ticket's requester (usagerN@example.org)."""

    email: str
    procedure: str
    status: str
    prolongation_days: int | None = None  # validity left on the last attestation de prolongation


PINNED = (
    Pinned("usager1@example.org", "vie-privee-familiale", "instruction", -2),
    Pinned("usager2@example.org", "etudiant", "complements_demandes", 40),
    Pinned("usager3@example.org", "etudiant", "titre_disponible"),
    Pinned("usager4@example.org", "naturalisation-decret", "controle_sdanf"),
    Pinned("usager5@example.org", "changement-situation", "instruction", 9),
)


def demo_dossiers(today: date) -> list[Dossier]:
    """The demo dossiers as of `today`."""
    return [_demo(index, today) for index in range(DEMO_COUNT)]


def demo_links() -> dict[str, str]:
    """The dossier number of each demo ticket's requester e-mail (dates do not change it)."""
    return {p.email: dossier_number(i, p.procedure) for i, p in enumerate(PINNED)}


def seed(store: DossierStore, *, today: date | None = None) -> int:
    """Fill an empty store with the demo dossiers; answers how many were added."""
    if store.count():
        return 0
    dossiers = demo_dossiers(today or datetime.now(UTC).date())
    for dossier in dossiers:
        store.save(dossier)
    return len(dossiers)


def dossier_number(index: int, procedure: str) -> str:
    """The number of the index-th demo dossier (séjour: 19 digits; naturalisation: NA-…)."""
    if machine_for(procedure).name == "naturalisation":
        code = PLATFORMS[index % len(PLATFORMS)][0]
        return f"{code}-2025-{index + 1:06d}"
    site = PREFECTURES[index % len(PREFECTURES)][0]
    return f"{site}2025{(index % 12) + 1:02d}{(index % 28) + 1:02d}{index + 1:07d}"


def foreign_number(index: int) -> str:
    """The numéro étranger of the index-th dossier's usager (two dossiers per usager)."""
    person = index if index < len(PINNED) else 100 + index // 2
    return str(7_500_000_000 + person * 1_237)


def contact_email(index: int) -> str:
    """The contact e-mail of the index-th dossier's usager."""
    if index < len(PINNED):
        return PINNED[index].email
    return f"demandeur{100 + index // 2}@example.org"


def _spec(index: int) -> tuple[str, str, int | None]:
    """Procedure, status and validity left on the prolongation of the index-th dossier."""
    if index < len(PINNED):
        pinned = PINNED[index]
        return pinned.procedure, pinned.status, pinned.prolongation_days
    procedure = PROCEDURES[index % len(PROCEDURES)]
    states = machine_for(procedure).states
    status = states[(index // len(PROCEDURES)) % len(states)].code
    validity = (-(3 + index % 20), 1 + index % 14, 30 + index % 50)[index % 3]
    return procedure, status, validity


def _demo(index: int, today: date) -> Dossier:
    """Build the index-th demo dossier by walking its machine up to its status."""
    procedure, status, validity = _spec(index)
    machine = machine_for(procedure)
    sites = PLATFORMS if machine.name == "naturalisation" else PREFECTURES
    parts = new_parts(
        number=dossier_number(index, procedure),
        procedure=procedure,
        site=sites[index % len(sites)][1],
        foreign_number=foreign_number(index),
        contact_email=contact_email(index),
    )
    walk = machine.path_to(status)
    step = 8 + index % 20
    start = datetime.combine(today, time(9, 30), tzinfo=UTC) - timedelta(days=step * len(walk) + 2)
    for position, code in enumerate(walk):
        enter(parts, code, start + timedelta(days=step * position, hours=position))
    if validity is not None:
        _set_last_prolongation(parts, today + timedelta(days=validity))
    return Dossier.model_validate(parts)


def _set_last_prolongation(parts: dict[str, Any], valid_until: date) -> None:
    """Give the last attestation de prolongation this end of validity (expired, soon, later)."""
    prolongations = [a for a in parts["attestations"] if a["kind"] == "prolongation_instruction"]
    if prolongations and parts["status"] in ("instruction", "complements_demandes"):
        prolongations[-1]["valid_until"] = valid_until
