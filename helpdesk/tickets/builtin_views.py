"""The work views every agent has: « Mes tickets », « Non attribués », « Réponse reçue »,
« En retard ». Each is a set of conditions added to the policy's `visible_tickets`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.policy import worked_queue_ids
from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.tickets.lifecycle import is_active
from helpdesk.tickets.models import Ticket
from routing.sla import SlaState

LATE_STATES = (SlaState.BREACHED.value, SlaState.WARNING.value)


@dataclass(frozen=True)
class BuiltinView:
    """A work view: its address, its name in the menu, its default sort and what it holds."""

    slug: str
    label: str
    sort: str
    description: str
    takes_next: bool = False  # offers « Prendre le suivant »


VIEWS: dict[str, BuiltinView] = {
    view.slug: view
    for view in (
        BuiltinView(
            "mes-tickets",
            "Mes tickets",
            "priorite",
            "Les tickets en cours qui vous sont attribués.",
        ),
        BuiltinView(
            "non-attribues",
            "Non attribués",
            "priorite",
            "Les tickets en cours de vos files que personne n'a pris, les plus urgents "
            "puis les plus anciens d'abord.",
            takes_next=True,
        ),
        BuiltinView(
            "reponse-recue",
            "Réponse reçue",
            "anciens",
            "Les tickets de vos files revenus avec la réponse d'un autre niveau.",
        ),
        BuiltinView(
            "en-retard",
            "En retard",
            "anciens",
            "Les tickets de vos files dont le délai est dépassé ou proche.",
        ),
    )
}


def view_conditions(session: Session, agent: Agent, slug: str) -> list[Any]:
    """The WHERE clauses of a work view, besides the policy's (unknown view: nothing)."""
    if slug == "mes-tickets":
        return [is_active(), col(Ticket.assignee_id) == agent.id]
    in_my_queues = col(Ticket.queue_id).in_(sorted(worked_queue_ids(session, agent)))
    if slug == "non-attribues":
        return [is_active(), in_my_queues, col(Ticket.assignee_id).is_(None)]
    if slug == "reponse-recue":
        return [is_active(), in_my_queues, col(Ticket.answer_received)]
    if slug == "en-retard":
        late = select(TicketSlaClock.ticket_id).where(
            col(TicketSlaClock.stopped_at).is_(None), col(TicketSlaClock.state).in_(LATE_STATES)
        )
        return [is_active(), in_my_queues, col(Ticket.id).in_(late)]
    return [col(Ticket.id).is_(None)]
