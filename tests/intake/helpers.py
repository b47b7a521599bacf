"""Builders of contact-form sends for the intake tests."""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from io import BytesIO
from typing import Any

import pikepdf
from PIL import Image

from helpdesk.config import Settings
from helpdesk.intake.forms import started_token

from conftest import CSRF_INPUT, WebClient

MESSAGE = (
    "Bonjour, mon attestation de prolongation d'instruction a expiré hier. Que dois-je faire ?"
)


def form_values(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """A valid send of the contact form, shown a minute ago."""
    values: dict[str, Any] = {
        "last_name": "Traoré",
        "first_name": "Awa",
        "email": "awa.traore@example.org",
        "phone": "06 12 34 56 78",
        "foreign_number": "7501234567",
        "dossier_number": "9403 2026 0606 0001 234",
        "procedure": "etudiant",
        "reason": "attestation",
        "subject": "Attestation de prolongation expirée",
        "message": MESSAGE,
        "privacy": "on",
        "language": "fr",
        "started": started_token(settings, time.time() - 60),
        "visit": "visit-0123456789abcdef",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def csrf_token(web: WebClient) -> str:
    """The CSRF token of the contact page (sets the cookie too)."""
    page = web.client.get("/contact")
    match = CSRF_INPUT.search(page.text)
    assert match
    return match.group(1)


def send(
    web: WebClient,
    settings: Settings,
    *,
    files: list[tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
    **overrides: Any,
) -> Any:
    """POST the contact form as a browser does (multipart, CSRF token)."""
    data = {**form_values(settings, **overrides), "_csrf_token": csrf_token(web)}
    multipart = [("attachments", (n, b, t)) for n, b, t in files or []] or [
        ("attachments", ("", b"", "application/octet-stream"))
    ]
    return web.client.post(
        "/contact", data=data, files=multipart, headers=headers or {}, follow_redirects=False
    )


def follow_up_path(html: str) -> str:
    """The follow-up path shown on the confirmation page."""
    match = re.search(r'data-testid="follow-up-link">https?://[^/]+(/suivi/[A-Za-z0-9_-]+)<', html)
    assert match, "no follow-up link on the page"
    return match.group(1)


def reference_of(html: str) -> str:
    """The ticket reference shown on a page."""
    match = re.search(r'data-testid="reference">(ANEF-\d{4}-\d{6})<', html)
    assert match, "no reference on the page"
    return match.group(1)


def jpeg_with_exif() -> bytes:
    """A small JPEG carrying EXIF (GPS-like) data and a comment."""
    image = Image.new("RGB", (16, 16), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {1: "N"}  # GPS IFD
    out = BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def png_with_text() -> bytes:
    """A small PNG with a tEXt chunk."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"tEXt", b"Comment\x00secret location 48.85N")
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def minimal_pdf(**info: str) -> bytes:
    """A one-page PDF, with these document information entries (Author, Title…)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in info.items():
        pdf.docinfo[f"/{key}"] = value
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


PDF = minimal_pdf()
