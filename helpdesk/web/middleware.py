"""ASGI middleware: request id, access log without query strings, security headers."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("helpdesk.access")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
DEFAULT_CSP = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Pages carry personal data or a signed-in person's view: no browser or proxy keeps a copy
# unless the handler said otherwise. The static files (no personal data) keep their own.
NO_STORE = (b"cache-control", b"no-store")
STATIC_PREFIX = "/static/"
# Secret tokens travel in some paths (follow-up links): the log keeps only the route's shape.
SECRET_PATH = re.compile(r"^/(suivi|follow-up)/[^/]+")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def loggable_path(path: str) -> str:
    """The path with any secret segment replaced."""
    return SECRET_PATH.sub(lambda m: f"/{m.group(1)}/[token]", path)


def make_security_headers_hook(*, https: bool) -> Any:
    """A before-send hook adding the security headers to every response, 404s included, and
    `Cache-Control: no-store` to every page that did not set its own caching."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        if not _has_header(headers, b"content-security-policy"):  # downloads bring `sandbox`
            headers.append(DEFAULT_CSP)
        headers.extend(BASE_HEADERS)
        if not _has_header(headers, b"cache-control") and not scope.get("path", "").startswith(
            STATIC_PREFIX
        ):
            headers.append(NO_STORE)
        request_id = scope.get("state", {}).get("request_id") or _request_id(scope)
        headers.append((b"x-request-id", request_id.encode()))
        if https or _forwarded_https(scope):
            headers.append(HSTS)
        message["headers"] = headers

    return add_headers


def _has_header(headers: list[tuple[bytes, bytes]], wanted: bytes) -> bool:
    """Whether the response already carries this header (its own caching, its own policy)."""
    return any(name.lower() == wanted for name, _ in headers)


def make_web_middleware() -> Any:
    """A middleware factory giving each request an id and an access log line."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            request_id = _request_id(scope)
            scope.setdefault("state", {})["request_id"] = request_id
            started = time.perf_counter()
            status = {"code": 500}

            async def send_with_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            structlog.contextvars.bind_contextvars(request_id=request_id)
            try:
                await app(scope, receive, send_with_status)
            finally:
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=loggable_path(scope.get("path", "")),
                    status=status["code"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
                structlog.contextvars.unbind_contextvars("request_id")

        return middleware

    return factory


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when well-formed, else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _forwarded_https(scope: Scope) -> bool:
    """Whether a reverse proxy says the client used https."""
    return any(n == b"x-forwarded-proto" and v == b"https" for n, v in scope.get("headers", []))
