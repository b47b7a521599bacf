"""A dossier service on loopback, over raw sockets, that answers well or with a chosen fault.

Faults: down (the port refuses connections), hanging (accepts, never answers), trickling
(the body one byte at a time), garbled_gzip (Content-Encoding: gzip on bytes that are not),
invalid_json, http_500, wrong_schema (valid JSON, not the contract).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from dossiers.model import Dossier

from support.servers import LOOPBACK, free_port

FAULTS = (
    "down",
    "hanging",
    "trickling",
    "garbled_gzip",
    "invalid_json",
    "http_500",
    "wrong_schema",
)
POLL_SECONDS = 0.02
GARBLED_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03ceci n'est pas du gzip"
INVALID_JSON = b'{"number": "7501202501010000001", "status": '
WRONG_SCHEMA = json.dumps({"numero": "7501202501010000001", "etat": 12}).encode()
SERVER_ERROR = b'{"detail": "erreur interne"}'


def http_response(
    status: str, body: bytes, *, extra: tuple[str, ...] = (), length: int | None = None
) -> tuple[bytes, bytes]:
    """The head (status line and headers) and the body of an HTTP/1.1 answer that closes."""
    lines = [
        f"HTTP/1.1 {status}",
        "Content-Type: application/json",
        f"Content-Length: {len(body) if length is None else length}",
        "Connection: close",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), body


class FaultyDossierService:
    """Serves one dossier for every GET, or misbehaves as `fault` says (None: answers well)."""

    def __init__(self, dossier: Dossier, *, trickle_seconds: float = 0.05) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.hits = 0
        self.trickle_seconds = trickle_seconds
        self._body = dossier.model_dump_json().encode()
        self._fault: str | None = None
        self._wanted = 0
        self._applied = -1
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._handlers: list[threading.Thread] = []

    def start(self) -> None:
        """Listen, and wait until the port takes connections."""
        self._acceptor.start()
        self._wait_applied(self._wanted)

    def stop(self) -> None:
        """Close the port and end every open connection."""
        self._stopping.set()
        self._acceptor.join(timeout=5)
        for handler in list(self._handlers):
            handler.join(timeout=5)

    @property
    def fault(self) -> str | None:
        """The fault served now (None: the service answers well)."""
        return self._fault

    def set_fault(self, fault: str | None) -> None:
        """Misbehave this way from now on (None: answer well); "down" closes the port."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(fault)
        with self._changed:
            self._fault = fault
            self._wanted += 1
            wanted = self._wanted
        self._wait_applied(wanted)

    def _wait_applied(self, wanted: int) -> None:
        """Block until the accept loop has opened or closed the port as wanted."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._applied >= wanted, timeout=5):
                raise RuntimeError("the faulty dossier service did not follow")

    def _accept_loop(self) -> None:
        """Own the listening socket: open or close it as the fault wants, hand out connections."""
        listener: socket.socket | None = None
        while not self._stopping.is_set():
            with self._changed:
                wanted, down = self._wanted, self._fault == "down"
            if down and listener is not None:
                listener.close()
                listener = None
            if not down and listener is None:
                listener = self._listen()
            with self._changed:
                self._applied = wanted
                self._changed.notify_all()
            if listener is None:
                time.sleep(POLL_SECONDS)
                continue
            self._accept_one(listener)
        if listener is not None:
            listener.close()

    def _listen(self) -> socket.socket:
        """A listening socket on the service's port (the same one after each "down")."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, self.port))
        listener.listen(16)
        listener.settimeout(POLL_SECONDS)
        return listener

    def _accept_one(self, listener: socket.socket) -> None:
        """Take one waiting connection, if any, and serve it in its own thread."""
        try:
            connection, _address = listener.accept()
        except TimeoutError:
            return
        handler = threading.Thread(target=self._serve, args=(connection,), daemon=True)
        self._handlers.append(handler)
        handler.start()

    def _serve(self, connection: socket.socket) -> None:
        """Read one request, then answer it as the current fault says."""
        with connection:
            connection.settimeout(POLL_SECONDS)
            if not self._read_request(connection):
                return
            self.hits += 1
            fault = self._fault
            try:
                if fault == "hanging":
                    self._hang(connection)
                elif fault == "trickling":
                    self._trickle(connection)
                else:
                    head, body = self._answer(fault)
                    connection.sendall(head + body)
            except OSError:  # the client gave up: nothing more to say
                return

    def _read_request(self, connection: socket.socket) -> bool:
        """Read up to the end of the request head; False if the client left first."""
        received = b""
        while b"\r\n\r\n" not in received and not self._stopping.is_set():
            try:
                chunk = connection.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return False
            if not chunk:
                return False
            received += chunk
        return not self._stopping.is_set()

    def _answer(self, fault: str | None) -> tuple[bytes, bytes]:
        """The whole answer for the faults that answer at once (and for no fault)."""
        if fault == "garbled_gzip":
            return http_response("200 OK", GARBLED_GZIP, extra=("Content-Encoding: gzip",))
        if fault == "invalid_json":
            return http_response("200 OK", INVALID_JSON)
        if fault == "http_500":
            return http_response("500 Internal Server Error", SERVER_ERROR)
        if fault == "wrong_schema":
            return http_response("200 OK", WRONG_SCHEMA)
        return http_response("200 OK", self._body)

    def _hang(self, connection: socket.socket) -> None:
        """Say nothing until the client hangs up (or the service stops)."""
        while not self._stopping.is_set():
            try:
                if not connection.recv(4096):
                    return
            except TimeoutError:
                continue

    def _trickle(self, connection: socket.socket) -> None:
        """Send a good answer one byte at a time, until the client hangs up."""
        head, body = http_response("200 OK", self._body)
        connection.sendall(head)
        for index in range(len(body)):
            if self._stopping.wait(self.trickle_seconds):
                return
            connection.sendall(body[index : index + 1])


@contextmanager
def faulty_dossier_service(dossier: Dossier) -> Iterator[FaultyDossierService]:
    """A FaultyDossierService serving this dossier, answering well until told otherwise."""
    service = FaultyDossierService(dossier)
    service.start()
    try:
        yield service
    finally:
        service.stop()
