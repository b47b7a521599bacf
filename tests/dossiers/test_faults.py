"""Fault tests: the dossier service down, failing, slow or answering garbage; the circuit."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dossiers.breaker import CircuitBreaker, CircuitOpenError
from dossiers.http_source import HttpDossierSource
from dossiers.source import DossierUnavailableError

from support.dossier_service import demo
from support.servers import free_port, serve_in_thread

NUMBER = "7501202501010000001"


class Misbehaving:
    """An ASGI dossier service whose behaviour the test chooses, counting the hits."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.hits = 0
        self.dossier = demo("instruction").model_dump_json().encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                done = message["type"] == "lifespan.shutdown"
                await send({"type": message["type"] + ".complete"})
                if done:
                    return
        self.hits += 1
        status, body = await self._answer()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self) -> tuple[int, bytes]:
        if self.mode == "slow":
            await asyncio.sleep(3)
        if self.mode == "500":
            return 500, b"boom"
        if self.mode == "garbage":
            return 200, b"<html>pas du JSON</html>"
        if self.mode == "wrong-shape":
            return 200, json.dumps({"number": NUMBER, "status": 12}).encode()
        return 200, self.dossier


@pytest.fixture()
def fake() -> Iterator[tuple[Misbehaving, str]]:
    app = Misbehaving()
    with serve_in_thread(app) as url:
        yield app, url


def source_for(url: str, **options: Any) -> HttpDossierSource:
    options.setdefault("cache_seconds", 0)
    options.setdefault("breaker", CircuitBreaker(failure_threshold=3, reset_seconds=0.5))
    return HttpDossierSource(url, read_timeout=0.5, budget_seconds=1.5, **options)


def unavailable_within(source: HttpDossierSource, seconds: float) -> None:
    started = time.monotonic()
    with pytest.raises(DossierUnavailableError):
        source.get(NUMBER)
    assert time.monotonic() - started < seconds


def test_service_down_is_unavailable_quickly():
    source = source_for(f"http://127.0.0.1:{free_port()}")
    unavailable_within(source, 1.6)


def test_500s_are_retried_then_unavailable(fake):
    app, url = fake
    app.mode = "500"
    unavailable_within(source_for(url), 1.6)
    assert app.hits == 3


def test_a_slow_service_is_cut_by_the_timeout(fake):
    app, url = fake
    app.mode = "slow"
    unavailable_within(source_for(url), 1.8)


@pytest.mark.parametrize("mode", ["garbage", "wrong-shape"])
def test_garbage_is_unavailable_and_not_retried(fake, mode):
    app, url = fake
    app.mode = mode
    unavailable_within(source_for(url), 1.0)
    assert app.hits == 1


def test_a_transient_500_is_absorbed_by_a_retry(fake):
    app, url = fake
    source = source_for(url)
    app.mode = "500"
    calls = {"n": 0}
    original = app._answer

    async def once_then_ok() -> tuple[int, bytes]:
        calls["n"] += 1
        app.mode = "500" if calls["n"] == 1 else "ok"
        return await original()

    app._answer = once_then_ok  # type: ignore[method-assign]
    assert source.get(NUMBER) is not None
    assert app.hits == 2


def test_the_circuit_opens_then_closes(fake):
    app, url = fake
    source = source_for(url, attempts=1)
    app.mode = "500"
    for _ in range(3):
        unavailable_within(source, 1.0)
    assert source.breaker.state == "open"
    hits = app.hits
    unavailable_within(source, 0.1)  # not even tried
    assert app.hits == hits
    app.mode = "ok"
    time.sleep(0.6)
    assert source.breaker.state == "half_open"
    assert source.get(NUMBER) is not None
    assert source.breaker.state == "closed"


def test_a_failed_trial_reopens_the_circuit(fake):
    app, url = fake
    source = source_for(url, attempts=1)
    app.mode = "500"
    for _ in range(3):
        unavailable_within(source, 1.0)
    time.sleep(0.6)
    unavailable_within(source, 1.0)
    assert source.breaker.state == "open"


def test_the_cache_answers_while_fresh(fake):
    app, url = fake
    source = source_for(url, cache_seconds=60)
    first = source.get(NUMBER)
    app.mode = "500"
    assert source.get(NUMBER) == first
    assert app.hits == 1


def test_breaker_lets_one_trial_through_when_half_open():
    now = {"t": 0.0}
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=10, clock=lambda: now["t"])
    breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    now["t"] = 10.0
    breaker.before_call()
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # a second caller waits for the trial
    breaker.record_success()
    assert breaker.state == "closed"


def test_an_abandoned_trial_expires_and_the_next_caller_tries():
    now = {"t": 0.0}
    breaker = CircuitBreaker(
        failure_threshold=1, reset_seconds=10, trial_timeout_seconds=5, clock=lambda: now["t"]
    )
    breaker.record_failure()
    now["t"] = 10.0
    breaker.before_call()  # a trial that will never report
    assert breaker.trial_running
    now["t"] = 14.9
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    now["t"] = 15.0
    assert not breaker.trial_running
    breaker.before_call()  # the lost trial no longer blocks the circuit
    breaker.record_success()
    assert breaker.state == "closed" and not breaker.trial_running


def test_an_unexpected_error_is_unavailable_and_ends_the_trial(fake):
    _app, url = fake
    source = source_for(url, attempts=1)
    source.breaker.record_failure()
    source.breaker.record_failure()
    source.breaker.record_failure()
    time.sleep(0.6)
    assert source.breaker.state == "half_open"
    source.close()  # httpx now raises RuntimeError, which is none of its own errors
    with pytest.raises(DossierUnavailableError, match="RuntimeError"):
        source.get(NUMBER)
    assert source.breaker.state == "open" and not source.breaker.trial_running
