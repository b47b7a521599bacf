"""The application served by uvicorn on loopback, and usagers sending the contact form to it."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from helpdesk.config import Settings
from helpdesk.intake.forms import started_token

from conftest import CSRF_INPUT
from support.servers import free_port

SEND_TIMEOUT_S = 120.0


@contextmanager
def serve_process(settings: Settings, database_url: str) -> Iterator[str]:
    """`helpdesk serve` in a process of its own (the embedded default when no Redis is set),
    configured through its environment; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "HELPDESK_ENV": "test",
        "HELPDESK_SECRET_KEY": settings.secret,
        "HELPDESK_DATABASE_URL": database_url,
        "HELPDESK_MAIL_DIR": str(settings.mail_dir),
        "HELPDESK_STORAGE_DIR": str(settings.storage_dir),
        "HELPDESK_INTAKE_RATE_LIMIT": str(settings.intake_rate_limit),
        "HELPDESK_INTAKE_MIN_FILL_SECONDS": str(settings.intake_min_fill_seconds),
        "HELPDESK_LOG_LEVEL": "ERROR",
    }
    env.pop("HELPDESK_REDIS_URL", None)
    command = [sys.executable, "-m", "uvicorn", "--factory", "helpdesk.app:create_app"]
    command += ["--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until the server answers (or died, or 30 s passed)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server process did not start")


@dataclass(frozen=True)
class Send:
    """One usager's send: the HTTP status and how long it took."""

    status: int
    seconds: float  # the whole send: for the form, loading it then posting it
    channel: str
    post_seconds: float = 0.0  # the POST alone


def contact_fields(settings: Settings, number: int) -> dict[str, str]:
    """A valid contact form of usager `number` (each usager writes a message of their own)."""
    return {
        "last_name": "Traoré",
        "first_name": f"Awa {number}",
        "email": f"usager.{number}@example.org",
        "procedure": "etudiant",
        "reason": "attestation",
        "subject": f"Attestation de prolongation expirée ({number})",
        "message": f"Bonjour, mon attestation a expiré hier, que dois-je faire ? Demande {number}.",
        "privacy": "on",
        "language": "fr",
        "started": started_token(settings, time.time() - 60),
        "visit": f"visit-{number:016x}",
    }


def send_form(
    base_url: str, settings: Settings, number: int, transport: httpx.HTTPTransport | None = None
) -> Send:
    """GET the contact page for its CSRF token, then POST the form (multipart), timed."""
    started = time.perf_counter()
    with _client(base_url, transport) as client:
        page = client.get("/contact")
        match = CSRF_INPUT.search(page.text)
        if page.status_code != 200 or match is None:
            return Send(page.status_code, time.perf_counter() - started, "form")
        data = {**contact_fields(settings, number), "_csrf_token": match.group(1)}
        files = {"attachments": ("", b"", "application/octet-stream")}
        posted = time.perf_counter()
        response = client.post("/contact", data=data, files=files)
    done = time.perf_counter()
    return Send(response.status_code, done - started, "form", done - posted)


def send_api(
    base_url: str,
    settings: Settings,
    number: int,
    transport: httpx.HTTPTransport | None = None,
    *,
    api_key: str | None = None,
) -> Send:
    """POST the partner API's JSON body with the partner's key, timed."""
    body: dict[str, Any] = {**contact_fields(settings, number), "privacy_acknowledged": True}
    for name in ("privacy", "started", "visit"):
        body.pop(name)
    started = time.perf_counter()
    with _client(base_url, transport) as client:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        response = client.post("/api/v1/contact", json=body, headers=headers)
    elapsed = time.perf_counter() - started
    return Send(response.status_code, elapsed, "api", elapsed)


@contextmanager
def _client(base_url: str, transport: httpx.HTTPTransport | None) -> Iterator[httpx.Client]:
    """A client with cookies of its own; a shared transport stays open for the others."""
    if transport is None:
        with httpx.Client(base_url=base_url, timeout=SEND_TIMEOUT_S) as client:
            yield client
        return
    yield httpx.Client(base_url=base_url, timeout=SEND_TIMEOUT_S, transport=transport)


def send_all_at_once(
    base_url: str, settings: Settings, *, forms: int, api: int, api_key: str | None = None
) -> list[Send]:
    """`forms` usagers on the form and `api` partners on the API (with `api_key`), all
    starting together."""
    partner = functools.partial(send_api, api_key=api_key)
    senders = [(send_form, n) for n in range(forms)] + [(partner, forms + n) for n in range(api)]
    barrier = threading.Barrier(len(senders))
    # One transport for all: a client of its own would build an SSL context (~40 ms of CPU)
    # in the middle of the measurement; each sender still has its own cookies.
    transport = httpx.HTTPTransport()
    results: list[Send] = []
    lock = threading.Lock()

    def run(sender: Any, number: int) -> None:
        barrier.wait()
        try:
            outcome = sender(base_url, settings, number, transport)
        except httpx.HTTPError:
            outcome = Send(0, SEND_TIMEOUT_S, "form" if sender is send_form else "api")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=pair) for pair in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    transport.close()
    return results
