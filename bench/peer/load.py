"""A small closed-loop HTTP load generator: N clients, each preparing once then posting.

Written for `make bench-peer` (wrk is not installed): `run_load(base_url, prepare, request)`
keeps `clients` connections busy for `seconds` and returns throughput, latency percentiles
and the errors (4xx/5xx or transport failures), with a sample of each kind.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx

Prepare = Callable[[httpx.AsyncClient], Awaitable[Any]]
Request = Callable[[httpx.AsyncClient, Any, int], Awaitable[httpx.Response]]
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass
class LoadResult:
    """What one measure gave: counts, duration, latencies (s) and the errors by kind."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_kinds: Counter[str] = field(default_factory=Counter)
    error_samples: dict[str, str] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """A latency percentile in milliseconds (0 when nothing was measured)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def summary(self) -> str:
        """One line: req/s, p50, p95, count and errors."""
        return (
            f"{self.rate:7.1f} req/s  p50 {self.percentile(0.5):6.1f} ms  "
            f"p95 {self.percentile(0.95):6.1f} ms  ({self.requests} requests, "
            f"{self.errors} errors)"
        )

    def record_error(self, kind: str, sample: str) -> None:
        """Count an error and keep the first sample of its kind."""
        self.errors += 1
        self.error_kinds[kind] += 1
        self.error_samples.setdefault(kind, sample[:300])


async def _client_loop(
    client: httpx.AsyncClient, state: Any, request: Request, deadline: float, result: LoadResult
) -> None:
    """One prepared client: request again and again until the deadline."""
    sequence = 0
    while time.perf_counter() < deadline:
        sequence += 1
        started = time.perf_counter()
        try:
            response = await request(client, state, sequence)
        except httpx.HTTPError as error:
            result.requests += 1
            result.record_error(type(error).__name__, repr(error))
            continue
        result.latencies.append(time.perf_counter() - started)
        result.requests += 1
        if response.status_code >= 400:
            result.record_error(str(response.status_code), response.text)


async def _run(
    base_url: str, prepare: Prepare, request: Request, clients: int, seconds: float
) -> LoadResult:
    """Prepare every client (not timed), then time them together until the last one ends."""
    result = LoadResult()
    async with AsyncExitStack() as stack:
        pool = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT, follow_redirects=False)
            )
            for _ in range(clients)
        ]
        states = await asyncio.gather(*(prepare(client) for client in pool))
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _client_loop(client, state, request, deadline, result)
                for client, state in zip(pool, states, strict=True)
            )
        )
        result.seconds = time.perf_counter() - started
    return result


def run_load(
    base_url: str,
    prepare: Prepare,
    request: Request,
    *,
    clients: int = 8,
    seconds: float = 10.0,
) -> LoadResult:
    """Keep `clients` concurrent clients busy on base_url for `seconds`; return the result."""
    return asyncio.run(_run(base_url, prepare, request, clients, seconds))
