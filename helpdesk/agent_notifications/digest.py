"""The daily digest: one e-mail a day per agent who chose it, with the unread notifications."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from helpdesk.agent_notifications.kinds import EmailMode
from helpdesk.agent_notifications.mails import digest_mail
from helpdesk.agent_notifications.models import AgentNotification, NotificationSettings
from helpdesk.auth.models import Agent
from helpdesk.config import Settings
from helpdesk.db import utcnow
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import visible_tickets
from helpdesk.tickets.models import Ticket

DIGEST_EVERY = timedelta(hours=23)  # a day, give or take the clock's hourly tick
DIGEST_MAX_ITEMS = 50


def send_digests(session: Session, settings: Settings) -> int:
    """E-mail each due agent their unread notifications since their last digest; returns how many.

    The mail and the new `last_digest_at` commit together: a second run the same day finds
    the agent not due and sends nothing.
    """
    now = utcnow()
    due = session.exec(
        select(NotificationSettings, Agent)
        .join(Agent, col(Agent.id) == col(NotificationSettings.agent_id))
        .where(NotificationSettings.email_mode == EmailMode.DIGEST, col(Agent.active))
        .where(
            col(NotificationSettings.last_digest_at).is_(None)
            | (col(NotificationSettings.last_digest_at) <= now - DIGEST_EVERY)
        )
        .with_for_update(of=NotificationSettings)
    ).all()
    sent = 0
    for preferences, agent in due:
        items = unread_since(session, agent, preferences)
        preferences.last_digest_at = now
        if not items:
            continue
        subject, body = digest_mail(settings, agent, items)
        queue_mail(session, recipient=agent.email, subject=subject, body=body)
        sent += 1
    return sent


def unread_since(
    session: Session, agent: Agent, preferences: NotificationSettings
) -> list[tuple[AgentNotification, Ticket]]:
    """The agent's unread notifications since the last digest, on tickets they may see."""
    query = (
        select(AgentNotification, Ticket)
        .join(Ticket, col(Ticket.id) == col(AgentNotification.ticket_id))
        .where(AgentNotification.agent_id == agent.id, col(AgentNotification.read_at).is_(None))
        .where(visible_tickets(session, agent))
        .order_by(col(AgentNotification.id))
        .limit(DIGEST_MAX_ITEMS)
    )
    if preferences.email_muted:
        query = query.where(col(AgentNotification.kind).not_in(preferences.email_muted))
    if preferences.last_digest_at is not None:
        query = query.where(col(AgentNotification.created_at) > preferences.last_digest_at)
    return [(row, ticket) for row, ticket in session.exec(query).all()]
