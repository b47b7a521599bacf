"""Helpers shared by the public form, the follow-up page and the API: files, timing, clients."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from pydantic import Field

from helpdesk.config import Settings
from helpdesk.i18n import t
from helpdesk.intake.ratelimit import RateLimiter
from helpdesk.intake.schemas import TEXT_FIELDS
from helpdesk.intake.uploads import MAX_FILES, MSG_TOO_MANY, CleanFile, UploadRefused, clean_upload
from helpdesk.web.forms import FormModel

MAX_CONTACT_BODY = 16 * 1024 * 1024
HONEYPOT = "website"
AppSettings = NamedDependency[Settings]


class ContactForm(FormModel):
    """The public contact form as sent (multipart): text as typed, the files chosen."""

    last_name: str = ""
    first_name: str = ""
    email: str = ""
    phone: str = ""
    foreign_number: str = ""
    dossier_number: str = ""
    procedure: str = ""
    reason: str = ""
    subject: str = ""
    message: str = ""
    language: str = ""
    privacy: str = ""
    started: str = ""
    visit: str = ""
    intent: str = ""
    website: str = ""  # the honeypot: people never see it, robots fill it
    shown: list[str] = Field(default_factory=list)
    attachments: list[UploadFile] = Field(default_factory=list)

    def text_values(self) -> dict[str, str]:
        """The text fields that check_contact reads."""
        return {name: getattr(self, name) for name in TEXT_FIELDS}

    def shown_articles(self) -> list[str]:
        """The articles the form's script showed before the send (comma-separated chunks)."""
        return [slug for chunk in self.shown for slug in chunk.split(",")]


assert set(TEXT_FIELDS) | {HONEYPOT} <= set(ContactForm.model_fields), "contact form fields"


class FollowUpForm(FormModel):
    """The usager's answer on the follow-up page (multipart)."""

    message: str = ""
    language: str = ""
    attachments: list[UploadFile] = Field(default_factory=list)


class DeflectionBeacon(FormModel):
    """A beacon of the form's script (url-encoded): suggestions shown, opened, or left."""

    visit: str = ""
    kind: str = ""
    language: str = ""
    article: list[str] = Field(default_factory=list)


@dataclass
class Files:
    """The accepted files of a send, the names that were refused, and the error to show."""

    accepted: list[CleanFile] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    error: str | None = None


def read_files(uploads: list[Any], *, lang: str) -> Files:
    """Read and check the attached files (at most three); the first problem is reported.

    Sync: called from sync handlers, in their worker thread (`UploadFile.file` is a spooled
    temporary file, read without the event loop).
    """
    files = Files()
    present = [u for u in uploads if isinstance(u, UploadFile) and (u.filename or "").strip()]
    files.names = [u.filename for u in present]
    if len(present) > MAX_FILES:
        files.error = t(lang, MSG_TOO_MANY)
        return files
    for upload in present:
        upload.file.seek(0)
        data = upload.file.read()
        try:
            files.accepted.append(clean_upload(upload.filename, data))
        except UploadRefused as refused:
            files.error = t(lang, refused.message, name=refused.name)
            break
    return files


def new_visit() -> str:
    """An id tying the deflection events of one visit of the form together."""
    return secrets.token_urlsafe(16)


def started_token(settings: Settings, now: float | None = None) -> str:
    """When the form was shown, signed so that it cannot be forged."""
    stamp = str(int(now if now is not None else time.time()))
    return f"{stamp}.{_sign(settings, stamp)}"


def signed_stamp(settings: Settings, token: Any) -> bool:
    """Whether the token is a time stamp we signed."""
    stamp, _, signature = token.partition(".") if isinstance(token, str) else ("", "", "")
    return stamp.isdigit() and hmac.compare_digest(signature, _sign(settings, stamp))


def filled_too_fast(settings: Settings, token: Any) -> bool:
    """Whether the form came back sooner than a person could fill it (or without its stamp)."""
    if not signed_stamp(settings, token):
        return True
    return time.time() - int(str(token).partition(".")[0]) < settings.intake_min_fill_seconds


def _sign(settings: Settings, stamp: str) -> str:
    """The signature of a time stamp."""
    key = f"intake-started:{settings.secret}".encode()
    return hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()[:32]


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client's address as the server sees it."""
    return request.client.host if request.client else "unknown"


def limiter(request: Request[Any, Any, Any]) -> RateLimiter:
    """The application's rate limiter (made by create_app)."""
    found: RateLimiter = request.app.state.intake_limiter
    return found
