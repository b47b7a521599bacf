"""What happened, told on the next page: the confirmation after a POST-redirect-GET.

A handler answers `flash_redirect(url, "Réponse envoyée à l'usager")`. The redirect carries
the text in an internal header; the middleware turns it into a short-lived cookie signed
with the application's secret (so nobody can make the console display words of their
own), and the next full page reads it into `request.state.flash`, which
templates/base.html shows as a DSFR alert with `role=status`, then deletes the cookie.
Fragments loaded by htmx leave it for the page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from http.cookies import CookieError, SimpleCookie
from typing import Any

from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "helpdesk_flash"
HEADER = b"x-helpdesk-flash"
KINDS = frozenset({"success", "info", "warning", "error"})
MAX_TEXT = 300
LIFETIME_SECONDS = 120


def flash_redirect(url: str, text: str, *, kind: str = "success") -> Redirect:
    """A 303 to `url` whose page opens with `text` in an alert of this kind."""
    payload = json.dumps({"kind": kind if kind in KINDS else "info", "text": text[:MAX_TEXT]})
    return Redirect(url, status_code=303, headers={HEADER.decode(): _b64(payload.encode())})


def flash_of(text: str, *, kind: str = "success") -> dict[str, str]:
    """The `flash` context of a page rendered directly (no redirect)."""
    return {"kind": kind if kind in KINDS else "info", "text": text[:MAX_TEXT]}


def make_flash_middleware(*, secret: str, https: bool) -> Any:
    """A middleware factory carrying confirmations from a redirect to the next page."""
    key = hashlib.sha256(f"flash:{secret}".encode()).digest()

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            shown = _read(scope, key) if _is_page_request(scope) else None
            if shown:
                scope.setdefault("state", {})["flash"] = shown

            async def send_with_flash(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = _rewrite(message, key, https=https, shown=bool(shown))
                await send(message)

            await app(scope, receive, send_with_flash)

        return middleware

    return factory


def _rewrite(message: Message, key: bytes, *, https: bool, shown: bool) -> list[Any]:
    """The response headers with the internal header turned into the cookie, or the cookie
    deleted once a page showed it."""
    original: list[tuple[bytes, bytes]] = list(message.get("headers", []))  # type: ignore[call-overload]
    headers = [(n, v) for n, v in original if n.lower() != HEADER]
    pending = [v for n, v in original if n.lower() == HEADER]
    secure = "; Secure" if https else ""
    if pending:
        value = pending[0].decode("latin-1")
        signed = f"{value}.{_sign(key, value)}"
        cookie = f"{COOKIE}={signed}; Max-Age={LIFETIME_SECONDS}; Path=/; HttpOnly; SameSite=Lax"
        headers.append((b"set-cookie", (cookie + secure).encode()))
    elif shown and _is_html(headers):
        cookie = f"{COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax{secure}"
        headers.append((b"set-cookie", cookie.encode()))
    return headers


def _read(scope: Scope, key: bytes) -> dict[str, str] | None:
    """The confirmation the request's cookie carries, if signed here and well-formed."""
    raw = _cookie(scope)
    if not raw or raw.count(".") != 1:
        return None
    value, signature = raw.split(".")
    if not hmac.compare_digest(signature, _sign(key, value)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None
    text = data.get("text")
    return {"kind": data["kind"], "text": text[:MAX_TEXT]} if isinstance(text, str) else None


def _cookie(scope: Scope) -> str:
    """The flash cookie's value from the request headers ("" when absent)."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:  # a malformed Cookie header means no flash
                return ""
            if COOKIE in jar:
                return jar[COOKIE].value
    return ""


def _is_page_request(scope: Scope) -> bool:
    """A full page a person navigates to: a GET that htmx did not send, outside /static."""
    if scope.get("method") != "GET" or scope.get("path", "").startswith("/static/"):
        return False
    return not any(name == b"hx-request" for name, _ in scope.get("headers", []))


def _is_html(headers: list[Any]) -> bool:
    """Whether the response is an HTML page (which displays the confirmation)."""
    return any(n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in headers)


def _sign(key: bytes, value: str) -> str:
    """The value's signature under the flash key."""
    return hmac.new(key, value.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:32]


def _b64(data: bytes) -> str:
    """URL-safe base64 without anything a cookie would need quoted."""
    return base64.urlsafe_b64encode(data).decode("ascii")
