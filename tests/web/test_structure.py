"""The structure that keeps the event loop free: sync handlers for blocking work, htmx support."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from litestar.handlers import HTTPRouteHandler
from litestar.plugins.htmx import HTMXRequest
from litestar.utils.sync import AsyncCallable

from helpdesk.web.dependencies import in_worker_thread

from conftest import WebClient

# What a handler asks for when it will touch the database, Redis, SMTP or another service
# (the state holds the engine, the job runtime, the dossier source and the rate limiter).
BLOCKING_INPUTS = frozenset({"db_session", "state"})


def written(handler: HTTPRouteHandler) -> Any:
    """The function as written (Litestar wraps a sync_to_thread handler)."""
    return handler.fn.func if isinstance(handler.fn, AsyncCallable) else handler.fn


def our_handlers(web: WebClient) -> list[HTTPRouteHandler]:
    """The application's HTTP handlers (not Litestar's static files, OPTIONS or schema)."""
    return [
        handler
        for route in web.client.app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler)
        and getattr(written(handler), "__module__", "").startswith("helpdesk.")
    ]


def test_every_handler_is_sync_and_blocking_ones_run_in_the_thread_pool(web: WebClient):
    handlers = our_handlers(web)
    assert len(handlers) > 50
    coroutines = [h.handler_name for h in handlers if inspect.iscoroutinefunction(written(h))]
    assert coroutines == []
    on_the_loop = [
        h.handler_name
        for h in handlers
        if not h.sync_to_thread and BLOCKING_INPUTS & set(h.parsed_fn_signature.parameters)
    ]
    assert on_the_loop == []


def test_the_database_session_commits_and_rolls_back_off_the_event_loop(web: WebClient):
    provide = web.client.app.dependencies["db_session"]
    assert provide.has_async_generator_dependency  # each step is sent to a worker thread
    assert inspect.isgeneratorfunction(inspect.unwrap(provide.dependency))


def test_requests_know_htmx(web: WebClient):
    assert web.client.app.request_class is HTMXRequest


def test_each_step_of_a_sync_generator_dependency_runs_in_a_worker_thread():
    loop_thread: list[int] = []
    seen: list[tuple[str, bool]] = []

    def off_loop() -> bool:
        return threading.get_ident() not in loop_thread

    def dependency(name: str) -> Iterator[str]:
        seen.append(("setup", off_loop()))
        try:
            yield name
        except ValueError:
            seen.append(("rollback", off_loop()))
            raise
        seen.append(("commit", off_loop()))

    provide = in_worker_thread(dependency)

    async def request(fail: bool) -> None:
        loop_thread[:] = [threading.get_ident()]  # idents of ended threads are reused
        steps = provide("session")
        assert await steps.__anext__() == "session"
        if fail:
            with pytest.raises(ValueError):
                await steps.athrow(ValueError("refused"))
        else:
            with pytest.raises(StopAsyncIteration):
                await steps.__anext__()

    for fail in (False, True):  # an event loop of its own, wherever the test runs
        thread = threading.Thread(target=anyio.run, args=(request, fail))
        thread.start()
        thread.join(timeout=10)
    assert seen == [
        ("setup", True),
        ("commit", True),
        ("setup", True),
        ("rollback", True),
    ]
