"""Éléments de langage: reply templates with placeholders, managed by supervisors."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.text_limits import MESSAGE_MAX, TITLE_MAX, check_lengths
from helpdesk.tickets.models import STATUS_LABELS, CannedResponse, Status, Ticket

PLACEHOLDERS = {
    "nom": "le nom du demandeur",
    "reference": "la référence du ticket",
    "statut": "le statut du ticket",
    "statut_dossier": "le statut du dossier lié",
    "conseiller": "votre nom",
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DOSSIER_STATUS_UNAVAILABLE = "statut du dossier indisponible pour le moment"


def available(session: Session, *, agent: Agent) -> list[CannedResponse]:
    """The active responses of the agent's organisation."""
    return list(
        session.exec(
            select(CannedResponse)
            .where(CannedResponse.organisation_id == agent.organisation_id)
            .where(col(CannedResponse.active).is_(True))
            .order_by(col(CannedResponse.title))
        ).all()
    )


def all_for_manager(session: Session, *, agent: Agent) -> list[CannedResponse]:
    """Every response of the organisation, active or not, for its supervisors."""
    ensure_manager(session, agent)
    return list(
        session.exec(
            select(CannedResponse)
            .where(CannedResponse.organisation_id == agent.organisation_id)
            .order_by(col(CannedResponse.title))
        ).all()
    )


def save(
    session: Session,
    *,
    agent: Agent,
    title: str,
    body: str,
    active: bool = True,
    response_id: int | None = None,
) -> CannedResponse:
    """Create or update a response after checking its placeholders."""
    ensure_manager(session, agent)
    title, body = title.strip(), body.replace("\0", "").strip()
    check_lengths({"title": (title, TITLE_MAX), "body": (body, MESSAGE_MAX)})
    errors = {}
    if not title:
        errors["title"] = "Donnez un titre à cette réponse."
    if not body:
        errors["body"] = "Écrivez le texte de la réponse."
    unknown = sorted(set(placeholders_in(body)) - set(PLACEHOLDERS))
    if unknown:
        errors["body"] = "Champs inconnus : " + ", ".join("{" + u + "}" for u in unknown)
    if errors:
        raise ValidationFailedError("La réponse type n'a pas été enregistrée.", field_errors=errors)
    response = _owned(session, agent, response_id) if response_id else None
    if response is None:
        response = CannedResponse(title=title, body=body, organisation_id=agent.organisation_id)
        session.add(response)
    response.title, response.body, response.active = title, body, active
    response.updated_by_id, response.updated_at = agent.id, utcnow()
    session.flush()
    return response


def render(
    session: Session, *, agent: Agent, response_id: int, ticket: Ticket, dossier_status: str = ""
) -> str:
    """The response's text with the ticket's values in place of its placeholders."""
    response = _owned(session, agent, response_id)
    values = {
        "nom": ticket.requester_name or "Madame, Monsieur",
        "reference": ticket.reference,
        "statut": STATUS_LABELS.get(Status(ticket.status), ticket.status),
        "statut_dossier": dossier_status or DOSSIER_STATUS_UNAVAILABLE,
        "conseiller": agent.full_name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), response.body)


def placeholders_in(body: str) -> list[str]:
    """The placeholder names used in a text, such as {nom}."""
    return PLACEHOLDER.findall(body)


def ensure_manager(session: Session, agent: Agent) -> None:
    """Only supervisors and administrators manage responses (the policy's MANAGE_CANNED)."""
    ensure(session, agent, Action.MANAGE_CANNED)


def _owned(session: Session, agent: Agent, response_id: int) -> CannedResponse:
    """A response of the agent's organisation, or a 404."""
    response = session.get(CannedResponse, response_id)
    if response is None or response.organisation_id != agent.organisation_id:
        raise NotFoundError("Cette réponse type n'existe pas.")
    return response
