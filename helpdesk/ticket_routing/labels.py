"""French labels of the history lines routing writes (shown by the ticket page)."""

ROUTING_EVENT_LABELS = {
    "routed": "Routage",
    "classified": "Classement",
    "priority_changed": "Changement de priorité",
    "sla_warning": "Échéance proche",
    "sla_breached": "Délai dépassé",
}
