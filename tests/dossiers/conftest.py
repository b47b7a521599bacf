"""Fixtures of the dossier tests: the reference service over real HTTP, the app wired to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from dossiers.http_source import HttpDossierSource

from conftest import WebClient, make_settings
from support.api_keys import as_partner
from support.dossier_service import (
    EVENTS_SECRET,
    REFERENCE_TOKEN,
    ReferenceService,
    reference_service,
)


@pytest.fixture()
def reference(tmp_path: Path) -> Iterator[ReferenceService]:
    """The reference dossier service with its demo dossiers (no webhook)."""
    with reference_service(tmp_path) as service:
        yield service


@pytest.fixture()
def source(reference: ReferenceService) -> Iterator[HttpDossierSource]:
    """The helpdesk's HTTP source pointed at the reference service, without cache."""
    http = HttpDossierSource(reference.url, token=REFERENCE_TOKEN, cache_seconds=0)
    yield http
    http.close()


@pytest.fixture()
def dossier_web(
    sqlite_engine: Engine, tmp_path: Path, reference: ReferenceService
) -> Iterator[WebClient]:
    """The helpdesk on SQLite, reading dossiers from the reference service; its API calls
    carry a partner's key (both scopes), as the dossier service's and partners' do."""
    settings = make_settings(
        tmp_path,
        dossiers_url=reference.url,
        dossiers_token=REFERENCE_TOKEN,
        dossiers_cache_seconds=0,
        dossier_events_secret=EVENTS_SECRET,
    )
    with WebClient.start(sqlite_engine, settings) as client:
        as_partner(client)
        yield client
