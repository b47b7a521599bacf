"""The confirmation carried from an action's redirect to the next page."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, MediaType, Request, get, post
from litestar.response import Redirect
from litestar.testing import TestClient

from helpdesk.web.flash import COOKIE, flash_redirect, make_flash_middleware


@post("/agir")
async def act() -> Redirect:
    """An action that succeeded."""
    return flash_redirect("/page", "Réponse envoyée à l'usager")


@get("/page", media_type=MediaType.HTML)
async def show(request: Request[Any, Any, Any]) -> str:
    """A page printing the confirmation it received."""
    flash = getattr(request.state, "flash", None)
    return f"<p>{flash['text'] if flash else 'rien'}</p>"


def _client() -> TestClient[Litestar]:
    app = Litestar([act, show], middleware=[make_flash_middleware(secret="s3cret", https=False)])
    return TestClient(app)


def test_the_next_page_shows_the_confirmation_once() -> None:
    with _client() as client:
        redirect = client.post("/agir", follow_redirects=False)
        assert redirect.status_code == 303
        assert "x-helpdesk-flash" not in redirect.headers
        assert COOKIE in redirect.cookies
        assert "Réponse envoyée à l'usager" in client.get("/page").text
        assert "rien" in client.get("/page").text


def test_htmx_fragments_leave_the_confirmation_for_the_page() -> None:
    with _client() as client:
        client.post("/agir", follow_redirects=False)
        assert "rien" in client.get("/page", headers={"HX-Request": "true"}).text
        assert "Réponse envoyée" in client.get("/page").text


def test_a_forged_or_foreign_cookie_shows_nothing() -> None:
    with _client() as client:
        redirect = client.post("/agir", follow_redirects=False)
        value = redirect.cookies[COOKIE]
        payload, _signature = value.split(".")
        client.cookies.set(COOKIE, f"{payload}.{'0' * 32}")
        assert "rien" in client.get("/page").text
        client.cookies.set(COOKIE, "n'importe quoi")
        assert "rien" in client.get("/page").text
