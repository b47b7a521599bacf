"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text


@get("/healthz", sync_to_thread=False, media_type="application/json")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", sync_to_thread=True, media_type="application/json")
def readyz(state: State) -> Response[dict[str, Any]]:
    """The database and the broker answer."""
    checks = {"database": _database_ok(state), "broker": _broker_ok(state)}
    ready = all(checks.values())
    return Response(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


def _database_ok(state: State) -> bool:
    """Whether a trivial query succeeds."""
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _broker_ok(state: State) -> bool:
    """Whether Redis answers a PING (the in-process broker is always ready)."""
    client = getattr(state.jobs.broker, "client", None)
    if client is None:
        return True
    try:
        return bool(client.ping())
    except Exception:
        return False
