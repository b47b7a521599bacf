"""The list an agent last opened, remembered for « Ticket précédent / suivant dans la vue ».

Kept in a cookie of its own, encrypted and signed with the secret (the sealed-search cipher,
valid a working day): the list's address may carry search words, which must not sit in
clear anywhere. Nothing of it goes into a URL.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.datastructures import Cookie

from helpdesk.tickets.sealed_search import seal, unseal

COOKIE = "helpdesk_liste"
LIST_PREFIXES = ("/files/", "/vues/", "/recherche")


def list_cookie(request: Request[Any, Any, Any], path: str, query: str) -> Cookie:
    """The cookie remembering this list (its path and query string)."""
    settings = request.app.state.settings
    value = seal(settings.secret, json.dumps({"path": path, "query": query}))
    return Cookie(
        key=COOKIE,
        value=value,
        path="/",
        httponly=True,
        secure=settings.is_https,
        samesite="lax",
        max_age=12 * 3600,
    )


def recalled_list(request: Request[Any, Any, Any]) -> tuple[str, dict[str, str]] | None:
    """The last list's path and parameters, if the cookie is one of ours and still valid."""
    raw = request.cookies.get(COOKIE, "")
    opened = unseal(request.app.state.settings.secret, raw) if raw else None
    if opened is None:
        return None
    try:
        data = json.loads(opened)
    except ValueError:
        return None
    path, query = data.get("path"), data.get("query")
    if not isinstance(path, str) or not isinstance(query, str):
        return None
    if not path.startswith(LIST_PREFIXES):
        return None
    return path, dict(parse_qsl(query, keep_blank_values=True))
