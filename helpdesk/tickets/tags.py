"""A ticket's tags (étiquettes): normalised words agents and macros put on a ticket.

They live in the `ticket_tag` table the routing rules also fill. Adding or removing one is a
change of the ticket's fields (the policy's CHANGE_FIELDS), written in its history.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action
from helpdesk.text_limits import TAG_MAX, too_long_message
from helpdesk.ticket_routing.models import TicketTag
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import load_for_change, record_event, touch

MAX_TAGS_PER_TICKET = 20
_NOT_IN_TAG = re.compile(r"[^\w-]+")
_DASHES = re.compile(r"-{2,}")


def normalise(raw: str) -> str:
    """One tag as stored: lower case, words joined by dashes, only letters, digits, - and _."""
    tag = _NOT_IN_TAG.sub("-", raw.strip().casefold())
    return _DASHES.sub("-", tag).strip("-_")


def split_tags(raw: str) -> list[str]:
    """The distinct normalised tags of a comma-separated list, in their order."""
    found: list[str] = []
    for part in raw.split(","):
        tag = normalise(part)
        if tag and tag not in found:
            found.append(tag)
    return found


def check_tag(raw: str, *, field: str = "tag") -> str:
    """The normalised tag, or a refusal beside the field when it is empty or too long."""
    tag = normalise(raw)
    if not tag:
        message = "Écrivez l'étiquette : des lettres ou des chiffres."
    elif len(tag) > TAG_MAX:
        message = too_long_message(len(tag), TAG_MAX)
    else:
        return tag
    raise ValidationFailedError("L'étiquette n'a pas été modifiée.", field_errors={field: message})


def tags_of(session: Session, ticket_id: int) -> list[str]:
    """The ticket's tags, alphabetically."""
    rows = session.exec(
        select(TicketTag.tag).where(TicketTag.ticket_id == ticket_id).order_by(col(TicketTag.tag))
    )
    return list(rows)


def add_tags(session: Session, ticket: Ticket, actor: Agent, tags: list[str]) -> list[str]:
    """Put these (already checked) tags on a loaded ticket; answers those it did not have."""
    have = set(tags_of(session, ticket.id or 0))
    added = [t for t in tags if t not in have]
    if len(have) + len(added) > MAX_TAGS_PER_TICKET:
        raise ValidationFailedError(
            f"Un ticket porte {MAX_TAGS_PER_TICKET} étiquettes au plus : retirez-en d'abord.",
            field_errors={"tag": "Trop d'étiquettes sur ce ticket."},
        )
    for tag in added:
        session.add(TicketTag(ticket_id=ticket.id, tag=tag))  # type: ignore[arg-type]
        _history(session, ticket, actor, to_value=tag)
    if added:
        touch(ticket)
    return added


def add_tag(session: Session, *, ticket_id: int, actor: Agent, raw: str) -> str:
    """Put one tag on the ticket (if the agent may change its fields); answers it normalised."""
    tag = check_tag(raw)
    ticket = load_for_change(session, ticket_id, None, actor=actor, action=Action.CHANGE_FIELDS)
    add_tags(session, ticket, actor, [tag])
    return tag


def remove_tag(session: Session, *, ticket_id: int, actor: Agent, raw: str) -> str | None:
    """Take a tag off the ticket; answers it, or None when the ticket did not carry it."""
    tag = normalise(raw)
    ticket = load_for_change(session, ticket_id, None, actor=actor, action=Action.CHANGE_FIELDS)
    row = session.exec(
        select(TicketTag).where(TicketTag.ticket_id == ticket_id, TicketTag.tag == tag)
    ).first()
    if row is None:
        return None
    session.delete(row)
    _history(session, ticket, actor, from_value=tag)
    touch(ticket)
    return tag


def _history(
    session: Session,
    ticket: Ticket,
    actor: Agent,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
) -> None:
    """One history line per tag added or removed."""
    record_event(
        session,
        ticket,
        actor,
        kind=EventKind.FIELD_CHANGED,
        from_value=from_value,
        to_value=to_value,
        data={"field": "tags"},
    )
