"""Search words sealed in URLs: an agent's search may name a person (an e-mail address, a
numéro étranger, a phone number), and URLs end up in browser histories and proxy logs.

The search form is posted; the list's address then carries the words encrypted and signed
with the secret key (Fernet), valid for a working day. Links to the next page, the
auto-refresh and the bulk form's way back reuse the sealed value.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken

SEAL_LIFETIME_SECONDS = 12 * 3600
MAX_SEALED_LENGTH = 1_000


def _fernet(secret: str) -> Fernet:
    """The cipher, from a key of its own derived from the application's secret."""
    key = hashlib.sha256(f"sealed-search:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, words: str) -> str:
    """The search words as an opaque, URL-safe token."""
    return _fernet(secret).encrypt(words.encode()).decode("ascii")


def unseal(secret: str, token: str) -> str | None:
    """The words of a token sealed here within its lifetime; None for anything else."""
    if not token or len(token) > MAX_SEALED_LENGTH:
        return None
    try:
        data = _fernet(secret).decrypt(token.encode("ascii"), ttl=SEAL_LIFETIME_SECONDS)
        return data.decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None


def words_from(secret: str, params: Mapping[str, str]) -> str:
    """The search words of a query: sealed (`qs`), else in clear (`q`, an old link)."""
    return unseal(secret, params.get("qs", "")) or params.get("q", "")
