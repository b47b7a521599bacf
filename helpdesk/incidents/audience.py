"""Who a notice concerns: sites and téléprocédures (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dossiers.catalog import PROCEDURES_BY_CODE

# The families of téléprocédures each kind of site deals with.
SITE_FAMILIES = {
    "prefecture": frozenset({"sejour", "asile", "compte"}),
    "naturalisation_platform": frozenset({"naturalisation", "compte"}),
}


@dataclass(frozen=True)
class Target:
    """The audience of a notice or an incident: sites (or all) and téléprocédures (or all)."""

    all_sites: bool
    sites: tuple[str, ...]
    procedures: tuple[str, ...]


def site_handles(site_kind: str, procedures: Iterable[str]) -> bool:
    """Whether a site of this kind deals with one of the téléprocédures (none listed: all)."""
    codes = list(procedures)
    if not codes:
        return True
    families = SITE_FAMILIES.get(site_kind, frozenset())
    return any(
        PROCEDURES_BY_CODE[code].family in families for code in codes if code in PROCEDURES_BY_CODE
    )


def concerns(target: Target, *, site_code: str, site_kind: str) -> bool:
    """Whether the notice concerns a site: named (or all sites) and handling a procedure."""
    if not target.all_sites and site_code not in target.sites:
        return False
    return site_handles(site_kind, target.procedures)
