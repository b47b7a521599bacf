"""A small closed-loop HTTP load generator: N clients, each sending its next request as soon
as the previous one answered (like wrk -c N), for a fixed time; reusable by any benchmark.

    result = run_load(make_request, base_url="http://127.0.0.1:8000", clients=8, seconds=10)
    print(result.line("contact form POST"))

`make_request(client, state, n)` sends the n-th request of one client and returns the
response; `state` is a dict of that client alone, filled once by `prepare(client, state)`
(e.g. a CSRF token read from a form). A request counts as an error when it raises or when
`ok(response)` is false (default: status below 400).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

ClientState = dict[str, Any]
RequestFactory = Callable[[httpx.AsyncClient, ClientState, int], Awaitable[httpx.Response]]
Prepare = Callable[[httpx.AsyncClient, ClientState], Awaitable[None]]


@dataclass
class LoadResult:
    """What a run measured: throughput, latency percentiles of the successes, errors."""

    requests: int
    seconds: float
    errors: int
    latencies: list[float] = field(repr=False, default_factory=list)
    first_error: str = ""

    @property
    def rps(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The share-th percentile of the successful requests' latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        """Median latency in milliseconds."""
        return self.percentile(0.50)

    @property
    def p95(self) -> float:
        """95th percentile latency in milliseconds."""
        return self.percentile(0.95)

    def line(self, label: str) -> str:
        """One printable line."""
        text = (
            f"  {label:<40} {self.rps:7.1f} req/s  p50 {self.p50:6.1f} ms  "
            f"p95 {self.p95:6.1f} ms  errors {self.errors}"
        )
        return text + (f" (first: {self.first_error})" if self.first_error else "")


def _default_ok(response: httpx.Response) -> bool:
    """A response below 400 is a success."""
    return response.status_code < 400


async def load(
    make_request: RequestFactory,
    *,
    base_url: str,
    clients: int = 8,
    seconds: float = 10.0,
    warmup: float = 1.0,
    prepare: Prepare | None = None,
    ok: Callable[[httpx.Response], bool] = _default_ok,
    pace: float = 0.0,
    stagger: float = 0.0,
) -> LoadResult:
    """Run `clients` concurrent loops for `warmup` + `seconds`; only the last `seconds` count.

    `pace` > 0 makes each client wait that long between its requests (an open, typing-like
    load) instead of sending the next one at once. `stagger` > 0 starts client i that many
    seconds × i late, as real clients arrive: a burst of connections opened in the same
    millisecond is all accepted by one worker of a multi-process server (shared socket).
    """
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(30.0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    result = LoadResult(requests=0, seconds=seconds, errors=0)

    async def one_client(index: int) -> None:
        await asyncio.sleep(index * stagger)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
            state: ClientState = {"index": index}
            if prepare is not None:
                await prepare(client, state)
            n = 0
            while loop.time() < stop_at:
                began = time.perf_counter()
                counted = loop.time() >= measure_from
                try:
                    response = await make_request(client, state, n)
                    success = ok(response)
                    problem = "" if success else f"HTTP {response.status_code}"
                except (httpx.HTTPError, OSError) as error:
                    success, problem = False, f"{type(error).__name__}: {error}"
                elapsed = time.perf_counter() - began
                n += 1
                if counted and loop.time() <= stop_at:
                    if success:
                        result.requests += 1
                        result.latencies.append(elapsed)
                    else:
                        result.errors += 1
                        result.first_error = result.first_error or problem
                if pace:
                    await asyncio.sleep(pace)

    await asyncio.gather(*(one_client(i) for i in range(clients)))
    return result


def run_load(make_request: RequestFactory, **options: Any) -> LoadResult:
    """`load` from synchronous code (its own event loop)."""
    return asyncio.run(load(make_request, **options))
