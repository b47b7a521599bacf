"""Jinja2 set-up: template folder, autoescape, filters for dates and labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from helpdesk.config import PROJECT_ROOT
from helpdesk.i18n import N_, jinja_gettext, jinja_ngettext, jinja_translate, language, t
from helpdesk.incidents.labels import INCIDENT_STATUS_WORDS
from helpdesk.text_limits import TEMPLATE_LIMITS
from helpdesk.tickets.events import event_label
from helpdesk.tickets.models import PRIORITY_LABELS, STATUS_LABELS, Priority, Status
from helpdesk.web.static_assets import static_url

PARIS = ZoneInfo("Europe/Paris")
TEMPLATES_DIR = PROJECT_ROOT / "templates"
# A date and a time of day, as the pages show a timestamp (public pages translate it).
DATE_AT_TIME = N_("%(date)s à %(time)s")

CHANNEL_LABELS = {
    "form": "Formulaire de contact",
    "phone": "Téléphone",
    "email": "Courriel",
    "referent": "Signalement de référent",
    "api": "Portail usager (API)",
}


def paris_time(value: datetime | None, lang: str = "fr") -> str:
    """A timestamp as French readers expect it (dd/mm/yyyy à hh:mm), in Europe/Paris time;
    the word between date and time in the reader's language."""
    if value is None:
        return "—"
    local = value.astimezone(PARIS)
    return t(lang, DATE_AT_TIME, date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M"))


@pass_context
def paris_time_filter(context: Any, value: datetime | None) -> str:
    """The `paris_time` filter, in the language of the page (French without a `lang`)."""
    return paris_time(value, language(context.get("lang")))


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
    env.globals["t"] = t
    env.globals["static"] = static_url
    env.globals["limits"] = TEMPLATE_LIMITS
    env.filters["translate"] = jinja_translate
    env.filters["paris_time"] = paris_time_filter
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
