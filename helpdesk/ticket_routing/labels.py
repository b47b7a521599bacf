"""French labels of the history lines routing writes (read from the one table of kinds)."""

from helpdesk.tickets.events import EventKind, labels_of

ROUTING_EVENT_LABELS = labels_of(
    EventKind.ROUTED,
    EventKind.CLASSIFIED,
    EventKind.PRIORITY_CHANGED,
    EventKind.SLA_WARNING,
    EventKind.SLA_BREACHED,
)
