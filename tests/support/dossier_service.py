"""ASGI apps served by uvicorn in a thread on loopback: the reference dossier service, fakes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn

from dossiers.model import Dossier
from dossiers.reference.app import ReferenceConfig, create_reference_app
from dossiers.reference.demo import demo_dossiers

from support.servers import LOOPBACK, free_port

EVENTS_SECRET = "test-dossier-events-secret"


@contextmanager
def serve_in_thread(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 until the block ends; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host=LOOPBACK, port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ASGI server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class ReferenceService:
    """A running reference dossier service."""

    url: str
    config: ReferenceConfig


@contextmanager
def reference_service(
    folder: Path, *, webhook_url: str | None = None, secret: str | None = EVENTS_SECRET
) -> Iterator[ReferenceService]:
    """The reference dossier service with the demo dossiers, on its own SQLite file."""
    config = ReferenceConfig(
        database=folder / "dossiers-reference.db",
        webhook_url=webhook_url,
        secret=secret,
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
