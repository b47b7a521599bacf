"""The application served by uvicorn on loopback, and usagers sending the contact form to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from helpdesk.config import Settings
from helpdesk.intake.forms import started_token

from conftest import CSRF_INPUT
from support.servers import free_port

SEND_TIMEOUT_S = 120.0


@contextmanager
def serve(app: Any, *, port: int | None = None) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread for the block; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class Send:
    """One usager's send: the HTTP status and how long it took."""

    status: int
    seconds: float
    channel: str


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


def send_form(base_url: str, settings: Settings, number: int) -> Send:
    """GET the contact page for its CSRF token, then POST the form (multipart), timed."""
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=SEND_TIMEOUT_S) as client:
        page = client.get("/contact")
        match = CSRF_INPUT.search(page.text)
        if page.status_code != 200 or match is None:
            return Send(page.status_code, time.perf_counter() - started, "form")
        data = {**contact_fields(settings, number), "_csrf_token": match.group(1)}
        files = {"attachments": ("", b"", "application/octet-stream")}
        response = client.post("/contact", data=data, files=files)
    return Send(response.status_code, time.perf_counter() - started, "form")


def send_api(base_url: str, settings: Settings, number: int) -> Send:
    """POST the partner API's JSON body, timed."""
    body: dict[str, Any] = {**contact_fields(settings, number), "privacy_acknowledged": True}
    for name in ("privacy", "started", "visit"):
        body.pop(name)
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=SEND_TIMEOUT_S) as client:
        response = client.post("/api/v1/contact", json=body)
    return Send(response.status_code, time.perf_counter() - started, "api")


def send_all_at_once(base_url: str, settings: Settings, *, forms: int, api: int) -> list[Send]:
    """`forms` usagers on the form and `api` partners on the API, all starting together."""
    senders = [(send_form, n) for n in range(forms)] + [(send_api, forms + n) for n in range(api)]
    barrier = threading.Barrier(len(senders))
    results: list[Send] = []
    lock = threading.Lock()

    def run(sender: Any, number: int) -> None:
        barrier.wait()
        try:
            outcome = sender(base_url, settings, number)
        except httpx.HTTPError:
            outcome = Send(0, SEND_TIMEOUT_S, sender.__name__)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=pair) for pair in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
