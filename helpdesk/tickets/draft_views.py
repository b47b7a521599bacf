"""The autosave of the reply draft: POST /tickets/{id}/brouillon, sent by drafts.js."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from helpdesk.db import attempt
from helpdesk.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from helpdesk.tickets import drafts
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm
from helpdesk.web.templating import PARIS

PRIVATE = {"Cache-Control": "private, no-store"}


class DraftText(WebForm):
    """The reply being written."""

    body: str = ""


class DraftController(Controller):
    """Keep the agent's unsent reply on a ticket (only its own, only where it may write)."""

    path = "/tickets/{ticket_id:int}/brouillon"

    @post("/", sync_to_thread=True)
    def save(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[DraftText, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """Save the draft; answer the line "Brouillon enregistré à 10:42" for the page."""
        try:
            with attempt(db_session):
                saved = drafts.save(db_session, agent=agent, ticket_id=ticket_id, body=data.body)
        except (NotFoundError, PermissionDeniedError):
            raise
        except ValidationFailedError as error:
            message = (error.field_errors or {}).get("body", error.message)
            context = {"saved": False, "message": f"Brouillon non enregistré : {message}"}
            return Template(
                "tickets/_draft_status.html", context=context, status_code=422, headers=PRIVATE
            )
        context = {
            "saved": True,
            "message": "Brouillon enregistré à " + saved.astimezone(PARIS).strftime("%H:%M")
            if data.body.strip()
            else "Brouillon effacé",
        }
        return Template("tickets/_draft_status.html", context=context, headers=PRIVATE)
