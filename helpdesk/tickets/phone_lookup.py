"""Who is calling: the caller's other tickets and dossiers, found from what the
téléconseiller typed (e-mail, numéro étranger) while the call goes on."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from dossiers.catalog import is_foreign_number
from dossiers.model import Dossier
from dossiers.source import DossierSource, DossierUnavailableError
from helpdesk.auth.models import Agent
from helpdesk.dossier_links.service import MSG_FOREIGN, UNAVAILABLE
from helpdesk.tickets import requester_history
from helpdesk.tickets.requester_history import RequesterHistory


@dataclass(frozen=True)
class CallerLookup:
    """What the call page shows about the caller."""

    history: RequesterHistory
    dossiers: list[Dossier] = field(default_factory=list)
    dossier_searched: bool = False
    dossier_error: str | None = None


def find_caller(
    session: Session,
    agent: Agent,
    source: DossierSource,
    *,
    email: str,
    foreign_number: str,
) -> CallerLookup:
    """The caller's tickets the agent may see, and the dossiers of their numéro étranger."""
    history = requester_history.for_requester(
        session, agent, email=email, foreign_number=foreign_number
    )
    number = foreign_number.strip()
    if not number:
        return CallerLookup(history=history)
    if not is_foreign_number(number):
        return CallerLookup(history=history, dossier_searched=True, dossier_error=MSG_FOREIGN)
    try:
        dossiers = source.by_foreign_number(number)
    except DossierUnavailableError:
        unavailable = UNAVAILABLE.capitalize() + "."
        return CallerLookup(history=history, dossier_searched=True, dossier_error=unavailable)
    return CallerLookup(history=history, dossiers=dossiers, dossier_searched=True)
