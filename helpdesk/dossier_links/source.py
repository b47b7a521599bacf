"""The helpdesk's dossier source, built once from the settings by the composition root.

create_app keeps it in the app state and hands it to its job runtime; the dramatiq worker
(helpdesk.tasks) builds its own for its runtime. Jobs read it from their JobContext.
"""

from __future__ import annotations

from typing import Any

from dossiers.breaker import CircuitBreaker
from dossiers.http_source import HttpDossierSource
from dossiers.source import DossierSource, UnconfiguredSource
from helpdesk.config import Settings


def build_source(settings: Settings) -> DossierSource:
    """HttpDossierSource on HELPDESK_DOSSIERS_URL, or a source that is always unavailable."""
    if not settings.dossiers_url:
        return UnconfiguredSource()
    return HttpDossierSource(
        settings.dossiers_url,
        token=settings.dossiers_token,
        connect_timeout=settings.dossiers_connect_timeout_seconds,
        read_timeout=settings.dossiers_read_timeout_seconds,
        budget_seconds=settings.dossiers_budget_seconds,
        cache_seconds=settings.dossiers_cache_seconds,
        breaker=CircuitBreaker(
            failure_threshold=settings.dossiers_breaker_failures,
            reset_seconds=settings.dossiers_breaker_reset_seconds,
            trial_timeout_seconds=2 * longest_read_seconds(settings),
        ),
    )


def longest_read_seconds(settings: Settings) -> float:
    """The longest a read may last (its budget, then one last wait for bytes)."""
    return settings.dossiers_budget_seconds + settings.dossiers_read_timeout_seconds


def close_source(source: Any) -> None:
    """Release the source's connections, if it has any."""
    close = getattr(source, "close", None)
    if callable(close):
        close()
