"""The follow-up page of a request, reached only through its secret link."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body, FromPath, FromQuery
from litestar.response import File, Redirect, Template
from sqlmodel import Session

from helpdesk.db import attempt
from helpdesk.errors import DomainError, NotFoundError
from helpdesk.i18n import N_, language, t
from helpdesk.intake import followup, service
from helpdesk.intake.forms import MAX_CONTACT_BODY, AppSettings, FollowUpForm, read_files
from helpdesk.intake.schemas import CONTROL_RE, MESSAGE_MAX
from helpdesk.intake.views import too_large_handler
from helpdesk.tickets.attachments import attachment_path
from helpdesk.tickets.models import Ticket
from helpdesk.web.dependencies import DbSession
from helpdesk.web.downloads import file_download

PRIVATE = {"Cache-Control": "no-store"}  # Referrer-Policy no-referrer: on every page
MSG_EMPTY = N_("Écrivez votre message avant de l'envoyer.")
MSG_LONG = N_("Votre message ne doit pas dépasser 5 000 caractères.")


def not_found_handler(request: Request[Any, Any, Any], _error: Exception) -> Template:
    """One 404 for a wrong, expired or unknown link, in the reader's language."""
    lang = language(request.query_params.get("lang"))
    return Template(
        "intake/not_found.html",
        context={"lang": lang, "agent": None},
        status_code=404,
        headers=PRIVATE,
    )


class FollowUpController(Controller):
    """GET and POST /suivi/<token>, and the files of the conversation."""

    path = "/suivi"
    exception_handlers = {
        NotFoundError: not_found_handler,
        RequestEntityTooLarge: too_large_handler,
    }

    @get("/{token:str}", sync_to_thread=True)
    def page(
        self,
        db_session: DbSession,
        token: FromPath[str],
        lang: FromQuery[str] = "",
        envoye: FromQuery[str] = "",
    ) -> Template:
        """Status in plain words, the public conversation and the answer form."""
        ticket = service.ticket_for_token(db_session, token=token)
        context = _context(db_session, ticket, token, lang or ticket.language)
        context["sent"] = envoye == "1"
        return Template("intake/follow_up.html", context=context, headers=PRIVATE)

    @post("/{token:str}", request_max_body_size=MAX_CONTACT_BODY, sync_to_thread=True)
    def answer(
        self,
        settings: AppSettings,
        db_session: DbSession,
        token: FromPath[str],
        data: Annotated[FollowUpForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        """Add the usager's answer (and files); a resolved ticket reopens within 30 days."""
        ticket = service.ticket_for_token(db_session, token=token)
        lang = language(data.language or ticket.language)
        body = CONTROL_RE.sub("", data.message.replace("\r\n", "\n")).strip()
        files = read_files(data.attachments, lang=lang)
        error = files.error
        if not body:
            error = t(lang, MSG_EMPTY)
        elif len(body) > MESSAGE_MAX:
            error = t(lang, MSG_LONG)
        if error is None:
            try:
                with attempt(db_session):
                    followup.answer(
                        db_session,
                        ticket=ticket,
                        body=body,
                        files=files.accepted,
                        storage_dir=settings.storage_dir,
                    )
            except DomainError as refused:
                error = t(lang, refused.message)
        if error is None:
            suffix = "&lang=en" if lang == "en" else ""
            return Redirect(f"/suivi/{quote(token)}?envoye=1{suffix}", status_code=303)
        context = _context(db_session, ticket, token, lang)
        context.update(error=error, message=body)
        return Template("intake/follow_up.html", context=context, status_code=422, headers=PRIVATE)

    @get("/{token:str}/pieces-jointes/{attachment_id:int}", sync_to_thread=True)
    def download(
        self,
        settings: AppSettings,
        db_session: DbSession,
        token: FromPath[str],
        attachment_id: FromPath[int],
    ) -> File:
        """A file of the public conversation, always as a download."""
        ticket = service.ticket_for_token(db_session, token=token)
        attachment = followup.public_attachment(
            db_session, ticket=ticket, attachment_id=attachment_id
        )
        if attachment is None:
            raise NotFoundError("Cette pièce jointe n'existe pas.")
        return file_download(
            attachment_path(settings.storage_dir, attachment), attachment.display_name
        )


def _context(session: Session, ticket: Ticket, token: str, lang: str) -> dict[str, Any]:
    """What the follow-up page shows."""
    lang = language(lang)
    return {
        "lang": lang,
        "agent": None,
        "ticket": ticket,
        "token": token,
        "switch_path": f"/suivi/{token}",
        "status_words": t(lang, followup.status_words(ticket)),
        "conversation": followup.public_conversation(session, ticket=ticket),
        "may_answer": followup.may_answer(ticket),
        "error": None,
        "message": "",
        "sent": False,
    }
