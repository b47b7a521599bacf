"""Jinja2 set-up: template folder, autoescape, filters for dates and labels."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from helpdesk.config import PROJECT_ROOT
from helpdesk.i18n import jinja_gettext, jinja_ngettext
from helpdesk.incidents.labels import INCIDENT_STATUS_WORDS
from helpdesk.tickets.events import event_label
from helpdesk.tickets.models import PRIORITY_LABELS, STATUS_LABELS, Priority, Status

PARIS = ZoneInfo("Europe/Paris")
TEMPLATES_DIR = PROJECT_ROOT / "templates"

CHANNEL_LABELS = {
    "form": "Formulaire de contact",
    "phone": "Téléphone",
    "email": "Courriel",
    "referent": "Signalement de référent",
    "api": "Portail usager (API)",
}


def paris_time(value: datetime | None) -> str:
    """A timestamp as French readers expect it, in Europe/Paris time."""
    if value is None:
        return "—"
    return value.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")


def status_label(value: str) -> str:
    """The French label of a ticket status."""
    try:
        return STATUS_LABELS[Status(value)]
    except ValueError:
        return value


def priority_label(value: str) -> str:
    """The French label of a priority."""
    try:
        return PRIORITY_LABELS[Priority(value)]
    except ValueError:
        return value


def _configure(engine: JinjaTemplateEngine) -> None:
    """Register our filters on the Jinja environment."""
    env = engine.engine
    env.autoescape = True
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=jinja_gettext, ngettext=jinja_ngettext, newstyle=True
    )
    env.filters["paris_time"] = paris_time
    env.filters["status_label"] = status_label
    env.filters["priority_label"] = priority_label
    env.filters["channel_label"] = lambda channel: CHANNEL_LABELS.get(channel, channel)
    env.filters["event_label"] = event_label
    env.filters["incident_status"] = lambda status: INCIDENT_STATUS_WORDS.get(status, status)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The template configuration of the application."""
    return TemplateConfig(
        directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=_configure
    )
