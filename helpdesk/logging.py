"""Structured logs: one JSON event per line, with the request id; secrets never logged."""

from __future__ import annotations

import logging
import sys
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


QUIET_LOGGERS = ("httpx", "httpcore", "dramatiq", "aiosmtpd", "mail.log", "hpack")


def configure_logging(level: str = "INFO") -> None:
    """Send structlog and stdlib logging to stdout as JSON lines."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log writes full URLs (follow-up tokens live in paths); ours does not.
    logging.getLogger("uvicorn.access").disabled = True
    # Their INFO lines name the URLs they call (dossier numbers, numéros étranger) or the
    # messages they carry: only their warnings and errors are kept.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
