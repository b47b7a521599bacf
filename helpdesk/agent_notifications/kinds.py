"""What a notification is about and how an agent wants its e-mails (labels in French)."""

from __future__ import annotations

from enum import StrEnum


class NotificationKind(StrEnum):
    """Why an agent is told about a ticket."""

    QUEUE_ARRIVAL = "queue_arrival"
    ASSIGNED = "assigned"
    ANSWER_RECEIVED = "answer_received"
    REQUESTER_REPLIED = "requester_replied"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    MENTION = "mention"


KIND_LABELS: dict[str, str] = {
    NotificationKind.QUEUE_ARRIVAL: "Nouveau ticket dans votre file",
    NotificationKind.ASSIGNED: "Ticket qui vous est attribué",
    NotificationKind.ANSWER_RECEIVED: "Réponse reçue d'un autre niveau",
    NotificationKind.REQUESTER_REPLIED: "Le demandeur a répondu",
    NotificationKind.SLA_WARNING: "Échéance proche",
    NotificationKind.SLA_BREACHED: "Délai dépassé",
    NotificationKind.MENTION: "Vous êtes mentionné dans une note interne",
}


class EmailMode(StrEnum):
    """How an agent receives notifications by e-mail (in the console: always)."""

    NONE = "none"
    IMMEDIATE = "immediate"
    DIGEST = "digest"


EMAIL_MODE_LABELS: dict[str, str] = {
    EmailMode.NONE: "Pas de courriel (notifications dans la console seulement)",
    EmailMode.IMMEDIATE: "Un courriel à chaque notification",
    EmailMode.DIGEST: "Un récapitulatif par jour des notifications non lues",
}


def kind_label(kind: str) -> str:
    """The French label of a stored kind (an unknown one shows as it is)."""
    return KIND_LABELS.get(kind, kind)
