"""The point bimensuel as a CSV file that spreadsheets open cleanly and safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from helpdesk.review.service import ReviewGroup, ReviewRow
from helpdesk.review.timeline import duration_text, neutralise
from helpdesk.web.templating import paris_time, status_label

BOM = "\ufeff"
HEADER = (
    "File",
    "Niveau actuel",
    "Téléprocédure",
    "Référence",
    "Objet",
    "Statut",
    "Créé le",
    "Âge (jours)",
    "Temps niveau 1",
    "Temps niveau 2",
    "Temps niveau 3",
    "Dernière action",
    "Date de la dernière action",
    "Auteur de la dernière action",
    "Incident lié",
)


def csv_text(groups: Iterable[ReviewGroup]) -> str:
    """UTF-8 text with a BOM, « ; » separated, every cell neutralised against formulas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for group in groups:
        for row in group.rows:
            writer.writerow([neutralise(cell) for cell in _cells(group, row)])
    return BOM + out.getvalue()


def _cells(group: ReviewGroup, row: ReviewRow) -> list[object]:
    """The cells of one ticket."""
    ticket = row.ticket
    return [
        group.queue_name,
        row.level,
        group.procedure_label,
        ticket.reference,
        ticket.subject,
        status_label(ticket.status),
        paris_time(ticket.created_at),
        row.age_days,
        *(duration_text(row.levels[level]) if level in row.levels else "" for level in (1, 2, 3)),
        row.last_action,
        paris_time(row.last_action_at),
        row.last_actor,
        " ; ".join(row.incidents),
    ]
