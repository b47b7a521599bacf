"""`helpdesk serve` answers kept-alive connections at once: TCP_NODELAY on every socket."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from helpdesk.web.server import NoDelayHttpProtocol


async def empty_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """An ASGI app that answers 204."""
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def nodelay_of_accepted_connection(protocol_class: type[HttpToolsProtocol]) -> int:
    """Serve one request on a listening socket bound as uvicorn binds it for several
    workers (no protocol named), and read TCP_NODELAY on the accepted connection."""

    async def run() -> int:
        config = Config(empty_app, lifespan="off", log_config=None)
        config.load()
        opened: list[asyncio.Transport] = []

        class Recording(protocol_class):  # type: ignore[valid-type, misc]
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                opened.append(transport)
                super().connection_made(transport)

        listener = socket.socket(family=socket.AF_INET)  # what uvicorn's bind_socket does
        listener.bind(("127.0.0.1", 0))
        state = ServerState()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: Recording(config=config, server_state=state, app_state={}), sock=listener
        )
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        writer.write(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 204")
        value = (
            opened[0].get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        )
        writer.close()
        server.close()
        await server.wait_closed()
        return int(value)

    found: list[int] = []  # a thread of its own: the suite may leave a loop running here
    worker = threading.Thread(target=lambda: found.append(asyncio.run(run())))
    worker.start()
    worker.join(timeout=30)
    assert found, "the test server did not answer"
    return found[0]


def test_accepted_connections_send_without_delay():
    assert nodelay_of_accepted_connection(NoDelayHttpProtocol) == 1


def test_without_it_uvicorn_leaves_nagle_on_for_several_workers():
    if nodelay_of_accepted_connection(HttpToolsProtocol) != 0:
        pytest.skip("this uvicorn or asyncio sets TCP_NODELAY itself now")
    assert nodelay_of_accepted_connection(NoDelayHttpProtocol) == 1
