"""API keys for tests that call the partner API through a WebClient."""

from __future__ import annotations

from typing import Any

from factories import bearer, make_api_key

ALL_SCOPES = ("contact:write", "dossier-events:write")


def partner_headers(web: Any, scopes: tuple[str, ...] = ALL_SCOPES) -> dict[str, str]:
    """The Authorization header of a new API client with these scopes (committed)."""
    with web.session() as session:
        key = make_api_key(session, scopes=scopes)
        session.commit()
    return bearer(key)


def as_partner(web: Any, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
    """Make every request of this test client carry a new partner's API key, as a partner
    system's do; answers the key."""
    headers = partner_headers(web, scopes)
    web.client.headers.update(headers)
    return headers["Authorization"].removeprefix("Bearer ")
