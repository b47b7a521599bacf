"""The helpdesk's dossier source, built once from the settings and kept in the app state."""

from __future__ import annotations

import threading
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
        connect_timeout=settings.dossiers_connect_timeout_seconds,
        read_timeout=settings.dossiers_read_timeout_seconds,
        budget_seconds=settings.dossiers_budget_seconds,
        cache_seconds=settings.dossiers_cache_seconds,
        breaker=CircuitBreaker(
            failure_threshold=settings.dossiers_breaker_failures,
            reset_seconds=settings.dossiers_breaker_reset_seconds,
        ),
    )


def close_source(source: Any) -> None:
    """Release the source's connections, if it has any."""
    close = getattr(source, "close", None)
    if callable(close):
        close()


_shared: dict[str | None, DossierSource] = {}
_shared_lock = threading.Lock()


def shared_source(settings: Settings) -> DossierSource:
    """One source per dossier-service address for the jobs of this process (keeps its cache)."""
    with _shared_lock:
        source = _shared.get(settings.dossiers_url)
        if source is None:
            source = _shared[settings.dossiers_url] = build_source(settings)
        return source
