"""API keys: `anef_<public prefix>_<secret>`; only a SHA-256 hash of the whole key is stored.

A key carries 256 random bits (secrets.token_urlsafe(32)): a fast hash is enough, no
password hashing is needed to resist guessing. The public prefix finds the stored hash
with one indexed lookup and names the key in lists and logs without revealing it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

KEY_START = "anef_"
PREFIX_BYTES = 6  # 12 hexadecimal characters
SECRET_BYTES = 32
MIN_SECRET_LENGTH = 43  # token_urlsafe(32); a registered key (CLI) must be as long
MAX_KEY_LENGTH = 200
KEY_PATTERN = re.compile(r"anef_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43,180})")


@dataclass(frozen=True)
class NewKey:
    """A key as shown once to the administrator, and what is stored of it."""

    key: str
    prefix: str
    digest: str


def generate_key() -> NewKey:
    """A new random key with its public prefix and its digest."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewKey(key=key, prefix=prefix, digest=digest_of(key))


def parse_key(key: str) -> NewKey | None:
    """The prefix and digest of a well-formed key; None for anything else."""
    if len(key) > MAX_KEY_LENGTH:
        return None
    match = KEY_PATTERN.fullmatch(key)
    if match is None:
        return None
    return NewKey(key=key, prefix=match.group("prefix"), digest=digest_of(key))


def digest_of(key: str) -> str:
    """The stored form of a key: the hexadecimal SHA-256 of its text."""
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header; None when absent or of another kind."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
