"""The public contact form: GET and POST /contact, and the deflection beacons."""

from __future__ import annotations

from typing import Annotated, Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from helpdesk.config import Settings
from helpdesk.dossier_links.public import procedure_from_dossier
from helpdesk.i18n import N_, language, preferred_language, t
from helpdesk.intake import service
from helpdesk.intake.forms import (
    HONEYPOT,
    MAX_CONTACT_BODY,
    AppSettings,
    ContactForm,
    DeflectionBeacon,
    Files,
    client_address,
    filled_too_fast,
    limiter,
    new_visit,
    read_files,
    signed_stamp,
    started_token,
)
from helpdesk.intake.schemas import (
    FIELDS,
    Checked,
    check_contact,
    is_acknowledged,
    procedure_choices,
    reason_choices,
)
from helpdesk.intake.suggestions import suggestions_for
from helpdesk.privacy.public_views import retention_durations
from helpdesk.tickets.models import Channel
from helpdesk.web.dependencies import DbSession
from helpdesk.web.errors import rate_limit_headers

NO_STORE = {"Cache-Control": "no-store"}
FIELD_ORDER = [spec.name for spec in FIELDS if spec.name != "language"] + [
    "attachments",
    "privacy",
]
MSG_TOO_FAST = N_(
    "Votre envoi n'a pas pu être vérifié. Relisez votre demande puis envoyez-la de nouveau."
)
MSG_FILES_AGAIN = N_(
    "Pour votre sécurité, les fichiers ne sont pas conservés quand le formulaire comporte "
    "une erreur : ajoutez de nouveau %(names)s."
)


def too_large_handler(request: Request[Any, Any, Any], _error: Exception) -> Response[Any]:
    """A clear page when the send is bigger than the form allows."""
    lang = preferred_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    return refusal(cast(HTMXRequest, request), lang=lang, status=413)  # the app's request class


def refusal(
    request: HTMXRequest, *, lang: str, status: int, retry_after: int | None = None
) -> Template:
    """The 413 or 429 page (or htmx fragment) of the contact form."""
    headers = dict(NO_STORE)
    if retry_after:
        settings = request.app.state.settings
        headers.update(
            rate_limit_headers(
                retry_after,
                limit=settings.intake_rate_limit,
                window=settings.intake_rate_window_seconds,
            )
        )
    minutes = max(1, ((retry_after or 60) + 59) // 60)
    name = "intake/_refusal.html" if request.htmx else "intake/refusal.html"
    context = {"lang": lang, "status": status, "minutes": minutes, "agent": None}
    return Template(name, context=context, status_code=status, headers=headers)


class ContactController(Controller):
    """The contact form of the CCC, without sign-in."""

    exception_handlers = {RequestEntityTooLarge: too_large_handler}

    @get("/contact", sync_to_thread=False)
    def contact_page(
        self, request: HTMXRequest, settings: AppSettings, lang: FromQuery[str] = ""
    ) -> Template:
        """The empty form, in French or English."""
        lang = preferred_language(lang, request.headers.get("accept-language"))
        context = form_context(settings, lang=lang, checked=None, visit=new_visit())
        return Template("intake/contact.html", context=context)

    @post("/contact", request_max_body_size=MAX_CONTACT_BODY, sync_to_thread=True)
    def send(
        self,
        request: HTMXRequest,
        settings: AppSettings,
        db_session: DbSession,
        data: Annotated[ContactForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """Check the form; send it as a ticket, or give it back with each error explained."""
        lang = language(data.language)
        visit, started = _visit(data.visit), data.started
        acknowledged = is_acknowledged(data.privacy)
        if data.website:
            return _page(request, {"lang": lang, "robot": True}, status=200)
        checked = check_contact(data.text_values(), acknowledged=acknowledged, lang=lang)
        if data.intent == "suggest":
            context = form_context(
                settings, lang=lang, checked=checked, visit=visit, quiet=True, started=started
            )
            context["privacy_checked"] = acknowledged
            context["suggestions"] = suggestions_for(request, checked.values, lang)
            return _page(request, context, status=200)
        files = read_files(data.attachments, lang=lang)
        problem = _problems(settings, started, checked, files, lang)
        if problem is not None or checked.data is None:
            context = form_context(
                settings, lang=lang, checked=checked, visit=visit, started=started
            )
            context["general_error"] = problem
            context["files_again"] = _files_again(files, lang)
            context["privacy_checked"] = acknowledged
            return _page(request, context, status=422)
        retry_after = limiter(request).hit(client_address(request))
        if retry_after is not None:
            return refusal(request, lang=lang, status=429, retry_after=retry_after)
        checked.data = procedure_from_dossier(request.app.state.dossier_source, checked.data)
        receipt = service.submit_contact(
            db_session,
            data=checked.data,
            channel=Channel.FORM,
            files=files.accepted,
            storage_dir=settings.storage_dir,
            base_url=settings.base_url,
            visit=visit,
            shown=data.shown_articles(),
        )
        context = {
            "lang": lang,
            "reference": receipt.ticket.reference,
            "follow_up_url": service.receipt_link(settings.base_url, receipt),
            "duplicate": receipt.duplicate,
            "email": receipt.ticket.requester_email,
        }
        return _page(request, context, status=200)

    @post("/contact/evenements", status_code=204, sync_to_thread=True)
    def deflection(
        self,
        db_session: DbSession,
        data: Annotated[DeflectionBeacon, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> None:
        """A beacon of the form's script: suggestions shown, one opened, the visitor leaving."""
        service.record_deflection(
            db_session,
            visit=data.visit,
            kind=data.kind,
            articles=data.article,
            lang=language(data.language),
        )


def form_context(
    settings: Settings,
    *,
    lang: str,
    checked: Checked | None,
    visit: str,
    quiet: bool = False,
    started: Any = None,
) -> dict[str, Any]:
    """What the form template needs: values, errors in field order, choices, anti-abuse."""
    errors = {} if checked is None or quiet else checked.errors
    return {
        "lang": lang,
        "agent": None,
        "values": checked.values if checked else {},
        "privacy_checked": False,
        "errors": errors,
        "error_list": [(name, errors[name]) for name in FIELD_ORDER if name in errors],
        "procedures": procedure_choices(lang),
        "reasons": reason_choices(lang),
        "visit": visit,
        "started": started if signed_stamp(settings, started) else started_token(settings),
        "honeypot": HONEYPOT,
        "suggestions": None,
        "retention": retention_durations(settings, lang),
    }


def _page(request: HTMXRequest, context: dict[str, Any], *, status: int) -> Template:
    """The whole page, or only the zone's content for htmx."""
    context.setdefault("agent", None)
    name = "intake/_contact.html" if request.htmx else "intake/contact.html"
    return Template(name, context=context, status_code=status, headers=NO_STORE)


def _problems(
    settings: Settings, started: str, checked: Checked, files: Files, lang: str
) -> str | None:
    """A problem that is not one field's: too fast a send; files join the field errors."""
    if files.error:
        checked.errors["attachments"] = files.error
        checked.data = None
    if filled_too_fast(settings, started):
        return t(lang, MSG_TOO_FAST)
    return None


def _files_again(files: Files, lang: str) -> str | None:
    """The reminder to attach the files again after an error."""
    if not files.names:
        return None
    return t(lang, MSG_FILES_AGAIN, names=", ".join(f"« {n} »" for n in files.names))


def _visit(value: str) -> str:
    """The visit id the form carried, or a new one."""
    return value if service.VISIT_RE.match(value) else new_visit()
