"""Writing notifications once, e-mailing them by preference, reading and marking them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from helpdesk.agent_notifications.kinds import EmailMode, NotificationKind
from helpdesk.agent_notifications.mails import notification_mail
from helpdesk.agent_notifications.models import AgentNotification, NotificationSettings
from helpdesk.agent_notifications.recipients import Notice, for_event, for_message
from helpdesk.auth.models import Agent
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.errors import ValidationFailedError
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import visible_tickets
from helpdesk.tickets.models import Message, Ticket, TicketEvent

PAGE_SIZE = 25
BELL_CAP = 100  # the bell says « 99+ » beyond


def derive(
    session: Session, settings: Settings, *, event_ids: list[int], message_ids: list[int]
) -> int:
    """Write the notifications these committed lines and messages give; returns how many are new."""
    written = 0
    for event in _rows(session, TicketEvent, event_ids):
        ticket = session.get(Ticket, event.ticket_id)
        if ticket is not None:
            written += deliver(session, settings, ticket, for_event(session, event, ticket))
    for message in _rows(session, Message, message_ids):
        ticket = session.get(Ticket, message.ticket_id)
        if ticket is not None:
            written += deliver(session, settings, ticket, for_message(session, message, ticket))
    return written


def deliver(session: Session, settings: Settings, ticket: Ticket, notices: list[Notice]) -> int:
    """Write each notice unless it exists (same agent, cause and kind) and e-mail it if wanted.

    The row and its e-mail commit together: a second run finds the row and sends nothing.
    """
    written = 0
    for notice in notices:
        if _exists(session, notice):
            continue
        row = AgentNotification(
            agent_id=notice.agent.id,  # type: ignore[arg-type]
            ticket_id=ticket.id,  # type: ignore[arg-type]
            kind=notice.kind,
            source=notice.source,
            detail=notice.detail,
        )
        session.add(row)
        if wants_email(session, notice.agent, notice.kind, EmailMode.IMMEDIATE):
            subject, body = notification_mail(settings, notice.agent, ticket, row)
            queue_mail(
                session,
                recipient=notice.agent.email,
                subject=subject,
                body=body,
                ticket_id=ticket.id,
            )
            row.emailed_at = utcnow()
        written += 1
    session.flush()
    return written


def unread_count(session: Session, agent: Agent, *, cap: int = BELL_CAP) -> int:
    """How many unread notifications the agent has on tickets they may still see, counted up
    to `cap` (the bell shows « 99+ »): the polled query reads at most that many rows."""
    unread = (
        select(AgentNotification.id)
        .join(Ticket, col(Ticket.id) == col(AgentNotification.ticket_id))
        .where(AgentNotification.agent_id == agent.id, col(AgentNotification.read_at).is_(None))
        .where(visible_tickets(session, agent))
        .limit(cap)
        .subquery()
    )
    return int(session.exec(select(func.count()).select_from(unread)).one())


def page_of(
    session: Session, agent: Agent, *, page: int
) -> tuple[list[tuple[AgentNotification, Ticket]], int]:
    """One page of the agent's notifications, newest first, and the number of pages."""
    condition = (col(AgentNotification.agent_id) == agent.id) & visible_tickets(session, agent)
    base = select(AgentNotification, Ticket).join(
        Ticket, col(Ticket.id) == col(AgentNotification.ticket_id)
    )
    total = session.exec(
        select(func.count())
        .select_from(AgentNotification)
        .join(Ticket, col(Ticket.id) == col(AgentNotification.ticket_id))
        .where(condition)
    ).one()
    pages = max(1, -(-int(total) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.exec(
        base.where(condition)
        .order_by(col(AgentNotification.created_at).desc(), col(AgentNotification.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [(n, t) for n, t in rows], pages


def open_notification(session: Session, agent: Agent, *, notification_id: int) -> int | None:
    """Mark one of the agent's notifications read; the ticket to open (None: not theirs)."""
    row = session.get(AgentNotification, notification_id)
    if row is None or row.agent_id != agent.id:
        return None
    if row.read_at is None:
        row.read_at = utcnow()
    return row.ticket_id


def mark_all_read(session: Session, agent: Agent) -> int:
    """Mark every unread notification of the agent read; returns how many."""
    result = session.execute(
        update(AgentNotification)
        .where(
            col(AgentNotification.agent_id) == agent.id, col(AgentNotification.read_at).is_(None)
        )
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def email_mode(session: Session, agent: Agent) -> str:
    """The agent's e-mail choice (no e-mail until they choose one)."""
    settings = _settings_of(session, agent)
    return settings.email_mode if settings else EmailMode.NONE


def wants_email(session: Session, agent: Agent, kind: str, mode: EmailMode) -> bool:
    """Whether the agent wants this kind of notification by e-mail in this mode."""
    settings = _settings_of(session, agent)
    return settings is not None and settings.email_mode == mode and kind not in settings.email_muted


def emailed_kinds(session: Session, agent: Agent) -> list[str]:
    """The kinds the agent receives by e-mail (when e-mails are on): all but the muted."""
    settings = _settings_of(session, agent)
    muted = settings.email_muted if settings else []
    return [kind.value for kind in NotificationKind if kind.value not in muted]


def set_email_mode(
    session: Session, agent: Agent, *, mode: str, kinds: list[str] | None = None
) -> str:
    """Record the agent's e-mail choice (and the kinds it covers, None: all); an unknown
    choice is refused beside its field."""
    known = {k.value for k in NotificationKind}
    wanted = known if kinds is None else set(kinds)
    errors = {}
    if mode not in {m.value for m in EmailMode}:
        errors["email_mode"] = "Choisissez une option dans la liste."
    if not wanted <= known:
        errors["email_kinds"] = "Cochez seulement des cas de la liste."
    if errors:
        raise ValidationFailedError(
            "Vos préférences n'ont pas été enregistrées : corrigez le choix signalé.",
            field_errors=errors,
        )
    settings = _settings_of(session, agent)
    if settings is None:
        settings = NotificationSettings(agent_id=agent.id)  # type: ignore[arg-type]
        session.add(settings)
    if mode == EmailMode.DIGEST and settings.email_mode != EmailMode.DIGEST:
        settings.last_digest_at = utcnow()  # the first digest covers what comes from now on
    settings.email_mode = mode
    settings.email_muted = sorted(known - wanted)
    return mode


def _settings_of(session: Session, agent: Agent) -> NotificationSettings | None:
    """The agent's stored preferences, if any."""
    return session.exec(
        select(NotificationSettings).where(NotificationSettings.agent_id == agent.id)
    ).first()


def _exists(session: Session, notice: Notice) -> bool:
    """Whether this notice was already written (by an earlier run of the same job)."""
    found = session.exec(
        select(AgentNotification.id).where(
            AgentNotification.agent_id == notice.agent.id,
            AgentNotification.source == notice.source,
            AgentNotification.kind == notice.kind,
        )
    ).first()
    return found is not None


def _rows(session: Session, model: Any, ids: list[int]) -> list[Any]:
    """The rows with these ids that exist, in id order (a rolled-back id is skipped)."""
    unique = sorted({int(i) for i in ids})
    if not unique:
        return []
    return list(session.exec(select(model).where(col(model.id).in_(unique)).order_by(model.id)))
