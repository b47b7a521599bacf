"""The default rules, calendars and SLA targets, following the chain of domain.md (plain data)."""

from __future__ import annotations

from dataclasses import dataclass

from routing.calendars import Interval


@dataclass(frozen=True)
class DefaultRule:
    """A seeded rule, in the editor's text form."""

    code: str
    name: str
    conditions: str
    actions: str
    stop: bool = True


DEFAULT_RULES = (
    DefaultRule(
        "attestation-prolongation",
        "Attestation de prolongation : étiquette",
        "texte contient attestation de prolongation, prolongation d'instruction",
        "étiquettes = attestation-prolongation",
        stop=False,
    ),
    DefaultRule(
        "referent-sejour",
        "Référent séjour → DP ANEF",
        "demandeur = referent-sejour",
        "file = dp-anef",
    ),
    DefaultRule(
        "referent-natali",
        "Référent NATALI → DP ANEF",
        "demandeur = referent-natali",
        "file = dp-anef",
    ),
    DefaultRule(
        "naturalisation-metier",
        "Naturalisation, question métier → SDANF",
        "demandeur = usager\nfamille = naturalisation\n"
        "texte contient ajournement, irrecevabilité, rapo, recours préalable, "
        "décision négative, refus de naturalisation, décret de naturalisation",
        "escalader = sdanf",
    ),
    DefaultRule("usager-ccc", "Usager → CCC", "demandeur = usager", "file = ccc"),
)

WEEKDAYS_9_17: tuple[tuple[Interval, ...], ...] = tuple(
    ((540, 1020),) if day < 5 else () for day in range(7)
)
CCC_HOURS: tuple[tuple[Interval, ...], ...] = tuple(
    ((510, 1080),) if day < 5 else () for day in range(7)
)
DEFAULT_CALENDARS = (
    ("ccc", "Centre de contact (8 h 30 – 18 h, jours ouvrés)", CCC_HOURS),
    ("jours-ouvres", "Jours ouvrés (9 h – 17 h)", WEEKDAYS_9_17),
)
QUEUE_CALENDARS = {
    "ccc": "ccc",
    "dp-anef": "jours-ouvres",
    "sdst": "jours-ouvres",
    "sdanf": "jours-ouvres",
}

# Business hours of first response and resolution per queue, for a normal priority.
QUEUE_TARGETS = {"ccc": (4, 16), "dp-anef": (8, 24), "sdst": (16, 40), "sdanf": (16, 40)}
PRIORITY_FACTORS = {"urgent": 0.25, "high": 0.5, "normal": 1.0, "low": 2.0}
WARNING_SHARE = 0.2  # warn when a fifth of the target is left
