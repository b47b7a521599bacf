"""The public "Données personnelles" page: what the helpdesk does with usagers' data."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from helpdesk.config import Settings
from helpdesk.i18n import LANGUAGES, language, preferred_language, translations
from helpdesk.web.dependencies import OptionalAgent

PATH = "/donnees-personnelles"


class PersonalDataController(Controller):
    """The page anyone may read, linked from every public page's footer and the contact form."""

    @get(PATH, sync_to_thread=True)
    def page(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        agent_or_none: OptionalAgent,
        lang: FromQuery[str] = "",
    ) -> Template:
        """Purposes, retention (from the settings), rights and contact, in French or English."""
        lang = preferred_language(lang, request.headers.get("accept-language"))
        return Template(
            "privacy/public.html",
            context={
                "lang": lang,
                "other_lang": next(code for code in LANGUAGES if code != lang),
                "agent": agent_or_none,
                "nav": "personal_data",
                "retention": retention_durations(settings, lang),
            },
        )

    @get("/personal-data", sync_to_thread=False)
    def english(self) -> Redirect:
        """The English address of the page."""
        return Redirect(f"{PATH}?lang=en", status_code=302)


def retention_durations(settings: Settings, lang: str) -> dict[str, str]:
    """The retention durations the public pages state, worded in the reader's language."""
    return {
        "closed_ticket": worded_duration(settings.retention_closed_ticket_days, lang),
        "attachment": worded_duration(settings.retention_attachment_days, lang),
        "mail": worded_duration(settings.retention_mail_days, lang),
        "contact_submission": worded_duration(settings.retention_contact_submission_days, lang),
        "rate_limit": worded_duration(settings.retention_rate_limit_days, lang),
    }


def worded_duration(days: int, lang: str) -> str:
    """A number of days as words: whole years, else whole months (30 days), else days."""
    catalog = translations(language(lang))
    if days % 365 == 0:
        years = days // 365
        return catalog.ngettext("%(num)s an", "%(num)s ans", years) % {"num": years}
    if days % 30 == 0:
        months = days // 30
        return catalog.ngettext("%(num)s mois", "%(num)s mois", months) % {"num": months}
    return catalog.ngettext("%(num)s jour", "%(num)s jours", days) % {"num": days}
