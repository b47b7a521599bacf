"""French labels of the history lines incidents write (shown by the ticket page)."""

INCIDENT_EVENT_LABELS = {
    "incident_linked": "Rattaché à un incident",
    "incident_resolved": "Incident résolu",
}

INCIDENT_STATUS_WORDS = {"en_cours": "En cours", "contourne": "Contourné", "resolu": "Résolu"}
