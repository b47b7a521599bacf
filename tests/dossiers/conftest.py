"""Fixtures of the dossier tests: the reference service over real HTTP, the app wired to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from dossiers.http_source import HttpDossierSource

from conftest import WebClient, make_settings
from support.dossier_service import EVENTS_SECRET, ReferenceService, reference_service


@pytest.fixture()
def reference(tmp_path: Path) -> Iterator[ReferenceService]:
    """The reference dossier service with its demo dossiers (no webhook)."""
    with reference_service(tmp_path) as service:
        yield service


@pytest.fixture()
def source(reference: ReferenceService) -> Iterator[HttpDossierSource]:
    """The helpdesk's HTTP source pointed at the reference service, without cache."""
    http = HttpDossierSource(reference.url, cache_seconds=0)
    yield http
    http.close()


@pytest.fixture()
def dossier_web(
    sqlite_engine: Engine, tmp_path: Path, reference: ReferenceService
) -> Iterator[WebClient]:
    """The helpdesk on SQLite, reading dossiers from the reference service."""
    settings = make_settings(
        tmp_path,
        dossiers_url=reference.url,
        dossiers_cache_seconds=0,
        dossier_events_secret=EVENTS_SECRET,
    )
    with WebClient.start(sqlite_engine, settings) as client:
        yield client
