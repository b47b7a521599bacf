"""Liveness and readiness probes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Response, get
from litestar.datastructures import State

from helpdesk.jobs.status import system_status


@get("/healthz", sync_to_thread=False, media_type="application/json")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", sync_to_thread=True, media_type="application/json")
def readyz(state: State) -> Response[dict[str, Any]]:
    """The database and the broker answer; with the outbox backlog, its oldest unsent row's
    age, the dead letters and the broker's latency (counts only: no personal data)."""
    status = system_status(state.jobs)
    body = {
        "status": "ok" if status.ready else "unavailable",
        "checks": {"database": status.database, "broker": status.broker},
        "broker": {"kind": status.broker_kind, "latency_ms": status.broker_latency_ms},
        "outbox": asdict(status.outbox) if status.outbox else None,
    }
    return Response(body, status_code=200 if status.ready else 503)
