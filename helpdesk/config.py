"""Settings of the helpdesk, read from the environment (prefix HELPDESK_)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


class ConfigurationError(RuntimeError):
    """Raised when the settings cannot run the application safely."""


class Settings(BaseSettings):
    """Every setting of the application; see the README for the table."""

    model_config = SettingsConfigDict(env_prefix="HELPDESK_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = Field(default=f"sqlite:///{VAR_DIR / 'helpdesk.db'}")
    redis_url: str | None = None
    redis_namespace: str = "dramatiq"
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Centre de contact ANEF <ne-pas-repondre@anef.example.gouv.fr>"
    mail_dir: Path = VAR_DIR / "mail"
    storage_dir: Path = VAR_DIR / "attachments"
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    login_max_failures: int = 5
    login_window_seconds: int = 900
    worker_threads: int = 2
    outbox_sweep_seconds: int = 10
    outbox_lease_seconds: int = 60
    outbox_keep_days: int = 7  # finished jobs are kept this long, then purged
    intake_rate_limit: int = 5
    intake_rate_window_seconds: int = 600
    intake_min_fill_seconds: float = 3.0
    log_level: str = "INFO"
    dossiers_url: str | None = None
    dossiers_connect_timeout_seconds: float = 0.5
    dossiers_read_timeout_seconds: float = 1.0
    dossiers_budget_seconds: float = 2.0
    dossiers_cache_seconds: float = 30.0
    dossiers_breaker_failures: int = 5
    dossiers_breaker_reset_seconds: float = 30.0
    dossiers_token: str | None = None  # the bearer token the dossier service requires
    dossier_events_secret: str | None = None
    dossier_events_tolerance_seconds: int = 300
    api_key_overlap_days: int = Field(default=7, ge=0, le=90)  # a rotated API key still works
    allowed_hosts: str = ""  # more host names than base_url's (comma-separated), production
    # Retention of personal data (README, "Personal data"): days after which the periodic
    # job `privacy.retention_run` removes each kind of data.
    retention_closed_ticket_days: int = Field(default=730, ge=1)  # anonymised after closing
    retention_attachment_days: int = Field(default=365, ge=1)  # files deleted after closing
    retention_mail_days: int = Field(default=90, ge=1)  # sent e-mails (address, body) deleted
    retention_audit_days: int = Field(default=365, ge=1)  # audit trail rows deleted
    retention_contact_submission_days: int = Field(default=30, ge=1)  # repeat-send fingerprints
    retention_rate_limit_days: int = Field(default=2, ge=1)  # rate-limit counters
    retention_dossier_event_days: int = Field(default=365, ge=1)  # dossier event receipts
    retention_request_days: int = Field(default=1095, ge=1)  # answered data requests

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> Settings:
        if self.env == "production" and not self.secret_key:
            raise ConfigurationError(
                "HELPDESK_SECRET_KEY is required in production: "
                "set it to a long random value (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)."
            )
        return self

    @cached_property
    def secret(self) -> str:
        """The secret key, generated into var/secret_key on a first local run."""
        if self.secret_key:
            return self.secret_key
        return _local_secret(VAR_DIR / "secret_key")

    @property
    def is_https(self) -> bool:
        """Whether the public address is served over https (cookies Secure, HSTS)."""
        return self.base_url.startswith("https://")

    @property
    def host_names(self) -> list[str] | None:
        """The Host headers served in production (base_url's host and `allowed_hosts`);
        None elsewhere (any host, for local and test runs)."""
        if self.env != "production":
            return None
        extra = [name.strip() for name in self.allowed_hosts.split(",") if name.strip()]
        own = urlsplit(self.base_url).hostname
        return ([own] if own else []) + extra

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


def _local_secret(path: Path) -> str:
    """Read the development secret, creating it with 0600 rights on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value)
    return value
