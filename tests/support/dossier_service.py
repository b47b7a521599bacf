"""ASGI apps served by uvicorn in a thread on loopback: the reference dossier service, fakes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dossiers.model import Dossier
from dossiers.reference.app import ReferenceConfig, create_reference_app
from dossiers.reference.demo import demo_dossiers

from support.servers import serve_in_thread

EVENTS_SECRET = "test-dossier-events-secret"
REFERENCE_TOKEN = "test-dossier-service-token"
TOKEN_HEADER = {"Authorization": f"Bearer {REFERENCE_TOKEN}"}


@dataclass(frozen=True)
class ReferenceService:
    """A running reference dossier service."""

    url: str
    config: ReferenceConfig


@contextmanager
def reference_service(
    folder: Path,
    *,
    webhook_url: str | None = None,
    secret: str | None = EVENTS_SECRET,
    webhook_key: str | None = None,
) -> Iterator[ReferenceService]:
    """The reference dossier service with the demo dossiers, on its own SQLite file; it
    requires REFERENCE_TOKEN and posts its events with `webhook_key` (the helpdesk's key)."""
    config = ReferenceConfig(
        database=folder / "dossiers-reference.db",
        webhook_url=webhook_url,
        secret=secret,
        token=REFERENCE_TOKEN,
        webhook_key=webhook_key,
        retry_seconds=0.5,
    )
    with serve_in_thread(create_reference_app(config)) as url:
        yield ReferenceService(url=url, config=config)


def demo(status: str, *, procedure: str | None = None, skip_pinned: bool = True) -> Dossier:
    """A demo dossier in this status (and procedure), not one of the demo tickets' own."""
    for index, dossier in enumerate(demo_dossiers(datetime.now(UTC).date())):
        if skip_pinned and index < 5:
            continue
        if dossier.status == status and procedure in (None, dossier.procedure):
            return dossier
    raise LookupError(status)
