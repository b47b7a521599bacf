"""The French texts of agents' e-mails: the reference, the subject and a link, nothing else."""

from __future__ import annotations

from collections.abc import Sequence

from helpdesk.agent_notifications.kinds import kind_label
from helpdesk.agent_notifications.models import AgentNotification
from helpdesk.auth.models import Agent
from helpdesk.config import Settings
from helpdesk.tickets.models import Ticket

SIGNATURE = (
    "Vous recevez ce courriel selon vos préférences de notification, modifiables ici : {url}\n\n"
    "Assistance ANEF — message automatique, merci de ne pas y répondre.\n"
)


def ticket_url(settings: Settings, ticket: Ticket) -> str:
    """The ticket's address in the agent console."""
    return f"{settings.base_url.rstrip('/')}/tickets/{ticket.id}"


def notification_mail(
    settings: Settings, agent: Agent, ticket: Ticket, row: AgentNotification
) -> tuple[str, str]:
    """The subject and body of the e-mail of one notification."""
    label = kind_label(row.kind)
    subject = f"[Assistance ANEF] {label} : {ticket.reference}"
    lines = [
        f"Bonjour {agent.full_name},",
        "",
        f"{label} : ticket {ticket.reference} « {ticket.subject} ».",
    ]
    if row.detail:
        lines.append(row.detail)
    lines += ["", f"Ouvrir le ticket dans la console : {ticket_url(settings, ticket)}", ""]
    return subject, "\n".join(lines) + "\n" + _signature(settings)


def digest_mail(
    settings: Settings, agent: Agent, items: Sequence[tuple[AgentNotification, Ticket]]
) -> tuple[str, str]:
    """The subject and body of the daily digest of unread notifications."""
    count = len(items)
    plural = "s" if count > 1 else ""
    subject = f"[Assistance ANEF] {count} notification{plural} non lue{plural}"
    lines = [
        f"Bonjour {agent.full_name},",
        "",
        f"Vous avez {count} notification{plural} non lue{plural} :",
        "",
    ]
    for row, ticket in items:
        lines.append(f"- {kind_label(row.kind)} : ticket {ticket.reference} « {ticket.subject} »")
        lines.append(f"  {ticket_url(settings, ticket)}")
    lines += ["", f"Toutes vos notifications : {settings.base_url.rstrip('/')}/notifications", ""]
    return subject, "\n".join(lines) + "\n" + _signature(settings)


def _signature(settings: Settings) -> str:
    """The closing lines: why this e-mail came and where to change it."""
    return SIGNATURE.format(url=f"{settings.base_url.rstrip('/')}/notifications")
