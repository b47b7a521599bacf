"""The HTTP protocol `helpdesk serve` gives uvicorn: TCP_NODELAY on every connection.

With several workers, uvicorn binds the listening socket itself without naming the TCP
protocol, and asyncio then leaves Nagle's algorithm on for accepted connections: on a
kept-alive connection each response waited for the client's delayed ACK, about 40 ms, so a
suggestion computed in 3 ms arrived in 45 (uvicorn issue #3149). Setting the option on each
connection makes the answer leave at once, whatever the loop or the number of workers.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class NoDelayHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with TCP_NODELAY set when a connection opens."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Turn Nagle's algorithm off for this connection, then serve it as usual."""
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in TCP_FAMILIES:
            with suppress(OSError):  # a transport that cannot set it serves all the same
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
