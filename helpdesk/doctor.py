"""`helpdesk doctor`: the job system's state in words, each finding with what to do."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.config import Settings
from helpdesk.jobs.status import SystemStatus

SLOW_BROKER_MS = 50.0
LARGE_BACKLOG = 1_000


@dataclass(frozen=True)
class Finding:
    """One line of the report: ok or not, what was seen, what to do."""

    ok: bool
    seen: str
    advice: str = ""


def findings(status: SystemStatus, settings: Settings) -> list[Finding]:
    """What the checks say, in the order an operator would look."""
    found = [_database(status, settings), _broker(status)]
    if status.outbox is not None:
        found.extend(_outbox(status, settings))
    return found


def render(found: list[Finding]) -> str:
    """The report as text, one finding per line and its advice below it."""
    lines = []
    for finding in found:
        lines.append(f"[{'ok' if finding.ok else '!!'}] {finding.seen}")
        if finding.advice:
            lines.append(f"     → {finding.advice}")
    return "\n".join(lines)


def _database(status: SystemStatus, settings: Settings) -> Finding:
    """The database answers; SQLite is the embedded default, not for production."""
    if not status.database:
        return Finding(
            False,
            "La base de données ne répond pas.",
            "Vérifiez HELPDESK_DATABASE_URL et que le serveur PostgreSQL est démarré.",
        )
    if status.database_kind == "sqlite" and settings.env == "production":
        return Finding(
            False,
            "Base SQLite (défaut embarqué) en production.",
            "SQLite n'accepte qu'un écrivain à la fois et un seul serveur : passez à "
            "PostgreSQL (HELPDESK_DATABASE_URL) au-delà d'un poste de démonstration ou "
            "d'une petite équipe (voir le README, « Limites du défaut embarqué »).",
        )
    return Finding(True, f"Base de données {status.database_kind} joignable.")


def _broker(status: SystemStatus) -> Finding:
    """The broker answers, and fast."""
    if status.broker_kind == "in-process":
        return Finding(True, "Travaux exécutés dans le processus web (sans Redis).")
    if not status.broker:
        return Finding(
            False,
            "Redis ne répond pas.",
            "Les demandes restent acceptées et gardées dans la base ; elles partiront au "
            "retour de Redis. Vérifiez HELPDESK_REDIS_URL et le service redis-server.",
        )
    latency = status.broker_latency_ms or 0.0
    if latency > SLOW_BROKER_MS:
        return Finding(
            False,
            f"Redis répond lentement ({latency:.0f} ms).",
            "Vérifiez la charge et le réseau du serveur Redis.",
        )
    return Finding(True, f"Redis joignable ({latency:.1f} ms).")


def _outbox(status: SystemStatus, settings: Settings) -> list[Finding]:
    """The outbox drains, and no job failed for good."""
    assert status.outbox is not None
    outbox = status.outbox
    found = []
    oldest = outbox.oldest_unsent_seconds
    if oldest is not None and oldest > 2 * settings.outbox_sweep_seconds:
        found.append(
            Finding(
                False,
                f"{outbox.unsent} travaux jamais transmis, le plus ancien depuis {oldest:.0f} s.",
                "L'horloge (`helpdesk clock`) les transmet : vérifiez qu'elle tourne et "
                "que Redis répond.",
            )
        )
    if outbox.overdue:
        found.append(
            Finding(
                False,
                f"{outbox.overdue} travaux en retard sur leur échéance.",
                "Les workers ne suivent pas ou sont arrêtés : vérifiez `helpdesk worker` "
                "(ajoutez des processus ou des threads si la file grossit).",
            )
        )
    if outbox.backlog > LARGE_BACKLOG:
        found.append(
            Finding(False, f"{outbox.backlog} travaux en attente.", "Ajoutez des workers.")
        )
    elif not found:
        found.append(Finding(True, f"File des travaux : {outbox.backlog} en attente."))
    if outbox.dead_letters:
        found.append(
            Finding(
                False,
                f"{outbox.dead_letters} travaux en échec non relancés.",
                "Corrigez la cause (souvent le serveur SMTP), puis relancez-les depuis "
                "/admin/travaux.",
            )
        )
    return found
