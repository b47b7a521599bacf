"""The kinds of line in a ticket's history, each with its French label (one table for all)."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """Every kind of history line; the stored value is the member's value."""

    # The ticket itself and its lifecycle.
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    FIELD_CHANGED = "field_changed"
    # The conversation.
    PUBLIC_REPLY = "public_reply"
    NOTE = "note"
    # Moves along the chain (the values of routing.chain.HandoverKind).
    ESCALATE = "escalate"
    TRANSFER = "transfer"
    RETURN = "return"
    # Merges and links.
    MERGED_INTO = "merged_into"
    MERGED_FROM = "merged_from"
    LINKED = "linked"
    # Dossiers.
    DOSSIER_ATTACHED = "dossier_attached"
    DOSSIER_STATUS = "dossier_status"
    DOSSIER_ALERT = "dossier_alert"
    # Routing and SLA.
    ROUTED = "routed"
    CLASSIFIED = "classified"
    PRIORITY_CHANGED = "priority_changed"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    # Incidents.
    INCIDENT_LINKED = "incident_linked"
    INCIDENT_RESOLVED = "incident_resolved"
    # The requester's follow-up link.
    FOLLOW_UP_LINK_RENEWED = "follow_up_link_renewed"
    # Personal data (helpdesk.privacy).
    REQUESTER_RECTIFIED = "requester_rectified"
    ANONYMISED = "anonymised"

    @property
    def label(self) -> str:
        """The French label the history shows."""
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.CREATED: "Création",
    EventKind.STATUS_CHANGED: "Changement de statut",
    EventKind.REOPENED: "Réouverture",
    EventKind.ASSIGNED: "Attribution",
    EventKind.FIELD_CHANGED: "Champ corrigé",
    EventKind.PUBLIC_REPLY: "Réponse au demandeur",
    EventKind.NOTE: "Note interne",
    EventKind.ESCALATE: "Escalade",
    EventKind.TRANSFER: "Transfert",
    EventKind.RETURN: "Retour",
    EventKind.MERGED_INTO: "Fusionné dans",
    EventKind.MERGED_FROM: "Fusion reçue de",
    EventKind.LINKED: "Lien ajouté",
    EventKind.DOSSIER_ATTACHED: "Dossier attaché",
    EventKind.DOSSIER_STATUS: "Dossier : changement de statut",
    EventKind.DOSSIER_ALERT: "Dossier : action attendue",
    EventKind.ROUTED: "Routage",
    EventKind.CLASSIFIED: "Classement",
    EventKind.PRIORITY_CHANGED: "Changement de priorité",
    EventKind.SLA_WARNING: "Échéance proche",
    EventKind.SLA_BREACHED: "Délai dépassé",
    EventKind.INCIDENT_LINKED: "Rattaché à un incident",
    EventKind.INCIDENT_RESOLVED: "Incident résolu",
    EventKind.FOLLOW_UP_LINK_RENEWED: "Nouveau lien de suivi envoyé au demandeur",
    EventKind.REQUESTER_RECTIFIED: "Coordonnées du demandeur rectifiées",
    EventKind.ANONYMISED: "Données personnelles du demandeur effacées",
}

# Lines that record a status change and nothing else: only lifecycle.transition writes them.
STATUS_LINE_KINDS = frozenset({EventKind.STATUS_CHANGED, EventKind.REOPENED})
# Moves along the chain between queues.
HANDOVER_KINDS = frozenset({EventKind.ESCALATE, EventKind.TRANSFER, EventKind.RETURN})


def event_label(kind: str) -> str:
    """The French label of a stored kind (an unknown one shows as it is)."""
    try:
        return EVENT_LABELS[EventKind(kind)]
    except ValueError:
        return kind


def labels_of(*kinds: EventKind) -> dict[str, str]:
    """The labels of some kinds, keyed by stored value (for a module's own list)."""
    return {kind.value: EVENT_LABELS[kind] for kind in kinds}
