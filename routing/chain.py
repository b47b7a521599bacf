"""The support chain of domain.md as plain data: queues, levels and allowed hand-overs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HandoverKind(StrEnum):
    """How a ticket moves between queues."""

    ESCALATE = "escalate"
    TRANSFER = "transfer"
    RETURN = "return"


@dataclass(frozen=True)
class QueueSpec:
    """A queue of the default chain."""

    code: str
    name: str
    level: int
    organisation_code: str


@dataclass(frozen=True)
class MoveSpec:
    """An allowed hand-over from one queue to another."""

    from_queue: str
    to_queue: str
    kind: HandoverKind


DEFAULT_QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("ccc", "CCC — centre de contact citoyen", 1, "ccc"),
    QueueSpec("dp-anef", "DP ANEF — support fonctionnel", 2, "dp-anef"),
    QueueSpec("sdst", "SDST — métier séjour", 3, "sdst"),
    QueueSpec("sdanf", "SDANF — métier naturalisation", 3, "sdanf"),
)

DEFAULT_MOVES: tuple[MoveSpec, ...] = (
    MoveSpec("ccc", "dp-anef", HandoverKind.ESCALATE),
    MoveSpec("ccc", "sdanf", HandoverKind.ESCALATE),
    MoveSpec("dp-anef", "sdst", HandoverKind.ESCALATE),
    MoveSpec("dp-anef", "sdanf", HandoverKind.ESCALATE),
    MoveSpec("dp-anef", "ccc", HandoverKind.RETURN),
    MoveSpec("sdst", "dp-anef", HandoverKind.RETURN),
    MoveSpec("sdst", "ccc", HandoverKind.RETURN),
    MoveSpec("sdanf", "dp-anef", HandoverKind.RETURN),
    MoveSpec("sdanf", "ccc", HandoverKind.RETURN),
    MoveSpec("sdst", "sdanf", HandoverKind.TRANSFER),
    MoveSpec("sdanf", "sdst", HandoverKind.TRANSFER),
)


def allowed_move(
    moves: tuple[MoveSpec, ...] | list[MoveSpec], from_queue: str, to_queue: str
) -> MoveSpec | None:
    """The move from one queue to another if the chain allows it, else None."""
    for move in moves:
        if move.from_queue == from_queue and move.to_queue == to_queue:
            return move
    return None
