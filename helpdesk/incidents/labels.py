"""French labels of the history lines incidents write, and of the incident statuses."""

from helpdesk.tickets.events import EventKind, labels_of

INCIDENT_EVENT_LABELS = labels_of(EventKind.INCIDENT_LINKED, EventKind.INCIDENT_RESOLVED)

INCIDENT_STATUS_WORDS = {"en_cours": "En cours", "contourne": "Contourné", "resolu": "Résolu"}
