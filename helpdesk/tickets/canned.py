"""Éléments de langage: reply templates with placeholders, managed by supervisors.

Each is filed in a folder, written in French or English, and may be a macro: applying it
also sets a status, a priority and tags (helpdesk.tickets.macros).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from dossiers.catalog import CATALOG
from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.text_limits import MESSAGE_MAX, TAG_MAX, TITLE_MAX, check_lengths
from helpdesk.tickets.models import (
    PRIORITY_LABELS,
    STATUS_LABELS,
    CannedResponse,
    Priority,
    Status,
    Ticket,
)
from helpdesk.tickets.tags import split_tags

PLACEHOLDERS = {
    "nom": "le nom du demandeur (« Madame, Monsieur » s'il est inconnu)",
    "reference": "la référence du ticket (ANEF-aaaa-nnnnnn)",
    "statut": "le statut du ticket",
    "statut_dossier": "le statut du dossier lié, lu dans la téléprocédure",
    "numero_dossier": "le numéro du dossier lié",
    "teleprocedure": "la téléprocédure du ticket",
    "conseiller": "votre nom",
}
LANGUAGES = {"fr": "Français", "en": "Anglais"}
FOLDERS = ("Titres de séjour", "Naturalisation", "Compte ANEF", "Rendez-vous", "Relances")
MACRO_STATUSES = (Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED)
FOLDER_MAX = 80
MACRO_TAGS_MAX = 200
NO_NAME = {"fr": "Madame, Monsieur", "en": "Sir or Madam"}
STATUS_LABELS_EN = {
    Status.NEW: "new",
    Status.OPEN: "in progress",
    Status.WAITING: "waiting for your reply",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DOSSIER_STATUS_UNAVAILABLE = "statut du dossier indisponible pour le moment"
DOSSIER_STATUS_UNAVAILABLE_EN = "dossier status unavailable for the moment"


@dataclass(frozen=True)
class CannedFields:
    """What a supervisor types for one élément de langage."""

    title: str
    body: str
    active: bool = True
    folder: str = ""
    language: str = "fr"
    macro_status: str = ""
    macro_priority: str = ""
    macro_tags: str = ""


def available(session: Session, *, agent: Agent) -> list[CannedResponse]:
    """The active responses of the agent's organisation, by folder then title."""
    return list(
        session.exec(
            select(CannedResponse)
            .where(CannedResponse.organisation_id == agent.organisation_id)
            .where(col(CannedResponse.active).is_(True))
            .order_by(col(CannedResponse.folder), col(CannedResponse.title))
        ).all()
    )


def all_for_manager(session: Session, *, agent: Agent) -> list[CannedResponse]:
    """Every response of the organisation, active or not, for its supervisors."""
    ensure_manager(session, agent)
    return list(
        session.exec(
            select(CannedResponse)
            .where(CannedResponse.organisation_id == agent.organisation_id)
            .order_by(col(CannedResponse.folder), col(CannedResponse.title))
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
    **more: str,
) -> CannedResponse:
    """Create or update a response after checking its placeholders and macro.

    `more`: folder, language, macro_status, macro_priority, macro_tags (see CannedFields).
    """
    ensure_manager(session, agent)
    clean = _checked(CannedFields(title=title, body=body, active=active, **more))
    response = _owned(session, agent, response_id) if response_id else None
    if response is None:
        response = CannedResponse(
            title=clean.title, body=clean.body, organisation_id=agent.organisation_id
        )
        session.add(response)
    response.title, response.body, response.active = clean.title, clean.body, clean.active
    response.folder, response.language = clean.folder, clean.language
    response.macro_status = clean.macro_status or None
    response.macro_priority = clean.macro_priority or None
    response.macro_tags = clean.macro_tags
    response.updated_by_id, response.updated_at = agent.id, utcnow()
    session.flush()
    return response


def delete(session: Session, *, agent: Agent, response_id: int) -> str:
    """Remove a response of the organisation; answers its title."""
    ensure_manager(session, agent)
    response = _owned(session, agent, response_id)
    title = response.title
    session.delete(response)
    session.flush()
    return title


def _checked(fields: CannedFields) -> CannedFields:
    """The fields stripped and normalised, or a refusal naming each wrong field."""
    title, body = fields.title.strip(), fields.body.replace("\0", "").strip()
    folder = " ".join(fields.folder.split())
    check_lengths(
        {
            "title": (title, TITLE_MAX),
            "body": (body, MESSAGE_MAX),
            "folder": (folder, FOLDER_MAX),
            "macro_tags": (fields.macro_tags, MACRO_TAGS_MAX),
        }
    )
    tags = split_tags(fields.macro_tags)
    errors = _field_errors(fields, title, body, tags)
    if errors:
        raise ValidationFailedError("La réponse type n'a pas été enregistrée.", field_errors=errors)
    return CannedFields(
        title=title,
        body=body,
        active=fields.active,
        folder=folder,
        language=fields.language,
        macro_status=fields.macro_status,
        macro_priority=fields.macro_priority,
        macro_tags=", ".join(tags),
    )


def _field_errors(fields: CannedFields, title: str, body: str, tags: list[str]) -> dict[str, str]:
    """The message beside each field that cannot be saved as typed."""
    errors = {}
    if not title:
        errors["title"] = "Donnez un titre à cette réponse."
    if not body:
        errors["body"] = "Écrivez le texte de la réponse."
    unknown = sorted(set(placeholders_in(body)) - set(PLACEHOLDERS))
    if unknown:
        errors["body"] = "Champs inconnus : " + ", ".join("{" + u + "}" for u in unknown)
    if fields.language not in LANGUAGES:
        errors["language"] = "Choisissez le français ou l'anglais."
    if fields.macro_status and fields.macro_status not in {s.value for s in MACRO_STATUSES}:
        errors["macro_status"] = "Choisissez un statut de la liste."
    if fields.macro_priority and fields.macro_priority not in {p.value for p in Priority}:
        errors["macro_priority"] = "Choisissez une priorité de la liste."
    if any(len(tag) > TAG_MAX for tag in tags):
        errors["macro_tags"] = f"Chaque étiquette compte {TAG_MAX} caractères au plus."
    return errors


def usable(session: Session, *, agent: Agent, response_id: int) -> CannedResponse:
    """An active response of the agent's organisation, or a 404."""
    response = _owned(session, agent, response_id)
    if not response.active:
        raise NotFoundError("Cette réponse type n'est plus proposée.")
    return response


def render(
    session: Session, *, agent: Agent, response_id: int, ticket: Ticket, dossier_status: str = ""
) -> str:
    """The response's text with the ticket's values in place of its placeholders."""
    response = usable(session, agent=agent, response_id=response_id)
    return fill(response, agent=agent, ticket=ticket, dossier_status=dossier_status)


def fill(
    response: CannedResponse, *, agent: Agent, ticket: Ticket, dossier_status: str = ""
) -> str:
    """The text of a response for this ticket, in the response's language."""
    english = response.language == "en"
    status = Status(ticket.status)
    unavailable = DOSSIER_STATUS_UNAVAILABLE_EN if english else DOSSIER_STATUS_UNAVAILABLE
    values = {
        "nom": ticket.requester_name or NO_NAME["en" if english else "fr"],
        "reference": ticket.reference,
        "statut": STATUS_LABELS_EN[status] if english else STATUS_LABELS[status],
        "statut_dossier": dossier_status or unavailable,
        "numero_dossier": ticket.dossier_number or ("(no dossier)" if english else "(aucun)"),
        "teleprocedure": procedure_label(ticket.procedure),
        "conseiller": agent.full_name,
    }
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), response.body)


def procedure_label(code: str | None) -> str:
    """The téléprocédure's label from the catalog (the code itself when unknown)."""
    if not code:
        return "—"
    found = next((p for p in CATALOG if p.code == code), None)
    return found.label if found else code


def macro_effects(response: CannedResponse) -> list[str]:
    """What applying the response also does, in words (empty: a plain élément de langage)."""
    effects = []
    if response.macro_status:
        effects.append("statut : " + STATUS_LABELS[Status(response.macro_status)])
    if response.macro_priority:
        effects.append("priorité : " + PRIORITY_LABELS[Priority(response.macro_priority)])
    for tag in split_tags(response.macro_tags):
        effects.append("étiquette : " + tag)
    return effects


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
