"""Delivery of one e-mail: through SMTP, or as an .eml file in the embedded default."""

from __future__ import annotations

import smtplib
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

from helpdesk.config import Settings

DOMAIN = "anef-helpdesk.local"
# Each SMTP step (connect, each command) gives up after this: a hung server costs a job
# this long, then the outbox retries it.
SMTP_TIMEOUT_S = 20
HEADER_UNSAFE = str.maketrans({"\r": " ", "\n": " ", "\0": ""})


class InvalidRecipientError(ValueError):
    """The recipient is not one plain address (line breaks, several addresses, garbage)."""


def clean_header(value: str) -> str:
    """A header value with no line breaks or NUL bytes (no header injection)."""
    return " ".join(value.translate(HEADER_UNSAFE).split())


def build_message(
    settings: Settings, *, recipient: str, subject: str, body: str, message_id: str | None = None
) -> EmailMessage:
    """An RFC 5322 message; the strict SMTP policy refuses any header with a line break.

    `message_id` is the one recorded with the mail, so that every attempt carries the same
    (a receiver drops a resend after a crash as a duplicate); a new one only when none was.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = clean_header(settings.mail_from)
    message["To"] = recipient_address(recipient)
    message["Subject"] = clean_header(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = clean_header(message_id) if message_id else make_msgid(domain=DOMAIN)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body.replace("\0", ""), charset="utf-8")
    return message


def recipient_address(recipient: str) -> Address:
    """Exactly one address; anything else (an injected header, a list) is refused."""
    try:
        return Address(addr_spec=clean_header(recipient))
    except (ValueError, IndexError) as error:
        raise InvalidRecipientError(f"invalid recipient {recipient!r}") from error


def deliver(settings: Settings, message: EmailMessage) -> None:
    """Send through SMTP when configured, else write the message under var/mail/."""
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as client:
            if settings.smtp_starttls:
                client.starttls()
            if settings.smtp_user and settings.smtp_password:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(message)
        return
    folder = Path(settings.mail_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    partial = folder / f".{name}.tmp"
    partial.write_bytes(message.as_bytes())
    partial.replace(folder / f"{name}.eml")  # readers never see a half-written message
