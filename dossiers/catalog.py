"""The catalog of téléprocédures (domain.md) and the formats of dossier identifiers."""

from __future__ import annotations

import re
from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a French label an usager may read: the helpdesk extracts it into its gettext
    catalogs (babel.cfg) and translates it where it shows it."""
    return message


@dataclass(frozen=True)
class Procedure:
    """A téléprocédure of the ANEF catalog."""

    code: str
    label: str
    family: str  # sejour, naturalisation, asile, compte


CATALOG: tuple[Procedure, ...] = (
    Procedure("vls-ts", N_("Validation du visa long séjour (VLS-TS)"), "sejour"),
    Procedure("etudiant", N_("Titre de séjour étudiant"), "sejour"),
    Procedure("autorisation-travail", N_("Autorisation de travail (employeur)"), "sejour"),
    Procedure("passeport-talent", N_("Passeport talent"), "sejour"),
    Procedure("visiteur", N_("Visiteur"), "sejour"),
    Procedure("changement-situation", N_("Changement d'adresse ou d'état civil"), "sejour"),
    Procedure("duplicata", N_("Duplicata après perte ou vol"), "sejour"),
    Procedure("protection-internationale", N_("Protection internationale"), "sejour"),
    Procedure("dcem-tve", N_("Documents de circulation (DCEM, TVE)"), "sejour"),
    Procedure("vie-privee-familiale", N_("Vie privée et familiale"), "sejour"),
    Procedure("citoyen-ue", N_("Citoyens de l'UE et leur famille"), "sejour"),
    Procedure("carte-resident", N_("Carte de résident"), "sejour"),
    Procedure("naturalisation-decret", N_("Naturalisation par décret"), "naturalisation"),
    Procedure("naturalisation-declaration", N_("Déclaration de nationalité"), "naturalisation"),
    Procedure("asile", N_("Asile"), "asile"),
    Procedure("ofii", N_("Démarches OFII"), "sejour"),
    Procedure("compte", N_("Compte usager (connexion, mot de passe)"), "compte"),
)

PROCEDURES_BY_CODE = {procedure.code: procedure for procedure in CATALOG}

FOREIGN_NUMBER_RE = re.compile(r"^\d{10}$")
SEJOUR_REQUEST_RE = re.compile(r"^\d{19}$")
NATURALISATION_DOSSIER_RE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")


def is_procedure(code: str | None) -> bool:
    """Whether the code names a téléprocédure of the catalog."""
    return code in PROCEDURES_BY_CODE


def normalise_dossier_number(raw: str) -> str | None:
    """The dossier number in its canonical form, or None when it has no known format."""
    compact = re.sub(r"[\s.]", "", raw.strip().upper())
    if SEJOUR_REQUEST_RE.match(compact) or NATURALISATION_DOSSIER_RE.match(compact):
        return compact
    return None


def is_foreign_number(raw: str) -> bool:
    """Whether the text is a numéro étranger (10 digits)."""
    return bool(FOREIGN_NUMBER_RE.match(raw.strip()))


DOSSIER_NUMBER_FORMAT = (
    "Le numéro de demande comporte 19 chiffres (séjour) "
    "ou la forme NA-2025-004217 (naturalisation)."
)


def checked_dossier_number(raw: str | None) -> str | None:
    """The canonical dossier number, None when empty; ValueError (in French) when malformed."""
    if not raw:
        return None
    normalised = normalise_dossier_number(raw)
    if normalised is None:
        raise ValueError(DOSSIER_NUMBER_FORMAT)
    return normalised
