"""HMAC-SHA256 signatures of dossier events: over the timestamp and the body, shared secret."""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Dossier-Timestamp"
SIGNATURE_HEADER = "X-Dossier-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The event is not signed, badly signed, or signed too long ago."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The header value signing `timestamp.body` with the secret: sha256=<hex>."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers a sender adds to a body it posts."""
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str,
    *,
    timestamp: str | None,
    given: str | None,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Raise SignatureError unless the signature is right and the timestamp recent."""
    if not timestamp or not given:
        raise SignatureError("signature ou horodatage manquant")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("horodatage invalide")
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > tolerance:
        raise SignatureError("horodatage trop ancien ou dans le futur")
    if not hmac.compare_digest(signature(secret, timestamp, body), given.strip()):
        raise SignatureError("signature invalide")
