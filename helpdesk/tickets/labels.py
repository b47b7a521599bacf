"""Words the ticket page shows instead of codes: queues, statuses, history values, messages."""

from __future__ import annotations

from collections.abc import Mapping

from dossiers.catalog import CATALOG
from helpdesk.tickets.events import HANDOVER_KINDS, STATUS_LINE_KINDS, EventKind
from helpdesk.tickets.models import (
    PRIORITY_LABELS,
    STATUS_LABELS,
    MessageKind,
    Priority,
    Queue,
    Status,
)

MESSAGE_LABELS = {
    MessageKind.REQUESTER.value: "Message du demandeur",
    MessageKind.CALL_NOTE.value: "Note d'appel",
    MessageKind.PUBLIC_REPLY.value: "Réponse à l'usager (envoyée par courriel)",
    MessageKind.INTERNAL_NOTE.value: "Note interne",
}
# Queues whose short name takes a feminine article ("la DP ANEF": la direction de programme).
FEMININE_QUEUES = frozenset({"dp-anef"})
PROCEDURE_LABELS = {procedure.code: procedure.label for procedure in CATALOG}
QUEUE_VALUE_KINDS = HANDOVER_KINDS | {EventKind.CREATED, EventKind.ROUTED}


def short_name(queue: Queue) -> str:
    """The queue's name without its description ("DP ANEF — support fonctionnel": DP ANEF)."""
    return queue.name.split(" — ")[0].strip()


def to_queue(queue: Queue) -> str:
    """ "à la DP ANEF", "au CCC": where something was sent."""
    return (
        f"à la {short_name(queue)}" if queue.code in FEMININE_QUEUES else f"au {short_name(queue)}"
    )


def of_queue(queue: Queue) -> str:
    """ "de la DP ANEF", "du SDST": where something came from."""
    return (
        f"de la {short_name(queue)}" if queue.code in FEMININE_QUEUES else f"du {short_name(queue)}"
    )


def procedure_label(code: str | None) -> str:
    """The téléprocédure's label ("—" when none, the code itself if it left the catalog)."""
    return PROCEDURE_LABELS.get(code, code) if code else "—"


def status_words(value: str) -> str:
    """A status label, or the value when it is not a status."""
    try:
        return STATUS_LABELS[Status(value)]
    except ValueError:
        return value


def priority_words(value: str) -> str:
    """A priority label, or the value when it is not a priority."""
    try:
        return PRIORITY_LABELS[Priority(value)]
    except ValueError:
        return value


def history_value(
    kind: str, value: str | None, data: Mapping[str, object], queues: Mapping[str, Queue]
) -> str | None:
    """The words for a history line's old or new value (queue, status, priority, procedure)."""
    if not value:
        return value
    if kind in QUEUE_VALUE_KINDS and value in queues:
        return short_name(queues[value])
    if kind in STATUS_LINE_KINDS:
        return status_words(value)
    if kind == EventKind.PRIORITY_CHANGED or data.get("field") == "priority":
        return priority_words(value)
    if data.get("field") == "procedure":
        return procedure_label(value)
    return value
