"""Structured logs: one JSON event per line, with the request id; secrets never logged."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values are never written, whatever the caller passes.
REDACTED_KEYS = frozenset(
    {
        "password",
        "password_hash",
        "token",
        "session",
        "session_id",
        "cookie",
        "authorization",
        "csrf",
        "follow_up_token",
        "body",
        "message_body",
        "secret",
    }
)


def _redact(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Replace the value of any sensitive key by a placeholder."""
    for key in list(event_dict):
        if key.lower() in REDACTED_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


# Identifiers of usagers that may slip into a message or an exception text: e-mail
# addresses, runs of ten digits or more (numéros étranger, séjour dossier numbers, phone
# numbers, with or without separators) and naturalisation dossier numbers.
IDENTIFIER_PATTERNS = (
    (re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"), "[courriel]"),
    (re.compile(r"(?<![\w.])\+?(?:\d[ .]?){9,}\d(?![\w])"), "[numéro]"),
    (re.compile(r"\b[A-Z]{2}-\d{4}-\d{6}\b"), "[dossier]"),
)
# Values we write ourselves and know to hold no identifier (a timestamp has no ten-digit run,
# but a request id of the caller's might).
TRUSTED_KEYS = frozenset({"timestamp", "level", "logger", "request_id"})


def redact_identifiers(text: str) -> str:
    """The text with e-mail addresses, long numbers and dossier numbers masked."""
    for pattern, replacement in IDENTIFIER_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_values(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Mask identifiers in every text value, the message and the traceback included."""
    for key, value in event_dict.items():
        if isinstance(value, str) and key not in TRUSTED_KEYS:
            event_dict[key] = redact_identifiers(value)
    return event_dict


STDOUT_HANDLER = "helpdesk-stdout"
QUIET_LOGGERS = ("httpx", "httpcore", "dramatiq", "aiosmtpd", "mail.log", "hpack")


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _redact,
]


def json_formatter() -> logging.Formatter:
    """The formatter of every log line: JSON, secrets and identifiers masked."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _redact_values,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )


def configure_logging(level: str = "INFO") -> None:
    """Send structlog and stdlib logging to stdout as JSON lines.

    Calling it again (one call per application made) replaces its own stdout handler and
    keeps any other handler a deployment or a test attached to the root logger."""
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(json_formatter())
    handler.set_name(STDOUT_HANDLER)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != STDOUT_HANDLER] + [handler]
    root.setLevel(level.upper())
    # uvicorn's access log writes full URLs (follow-up tokens live in paths); ours does not.
    logging.getLogger("uvicorn.access").disabled = True
    # Their INFO lines name the URLs they call (dossier numbers, numéros étranger) or the
    # messages they carry: only their warnings and errors are kept.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
