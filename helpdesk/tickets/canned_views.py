"""Management of éléments de langage (canned responses) by supervisors."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from helpdesk.db import attempt
from helpdesk.errors import ValidationFailedError
from helpdesk.tickets import canned
from helpdesk.tickets.models import CannedResponse
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm


class CannedForm(WebForm):
    """The fields of a canned response."""

    title: str = ""
    body: str = ""
    active: bool = False


class CannedController(Controller):
    """List, create and edit the organisation's canned responses."""

    path = "/reponses-types"

    @get("/", sync_to_thread=True)
    def list_page(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """Every response of the organisation, and an empty form for a new one."""
        responses = canned.all_for_manager(db_session, agent=agent)
        return Template(
            "tickets/canned.html",
            context=_context(agent, responses, CannedForm(active=True), None, {}),
        )

    @post("/", sync_to_thread=True)
    def create(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[CannedForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        """Create a response."""
        return _save(db_session, agent, data, None)

    @post("/{response_id:int}", sync_to_thread=True)
    def update(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        response_id: FromPath[int],
        data: Annotated[CannedForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        """Change a response (or deactivate it)."""
        return _save(db_session, agent, data, response_id)


def _save(
    db_session: DbSession, agent: CurrentAgent, data: CannedForm, response_id: int | None
) -> Template | Redirect:
    """Save, or show the form again with the errors and the input kept."""
    try:
        with attempt(db_session):
            canned.save(
                db_session,
                agent=agent,
                title=data.title,
                body=data.body,
                active=data.active,
                response_id=response_id,
            )
    except ValidationFailedError as error:
        responses = canned.all_for_manager(db_session, agent=agent)
        context = _context(agent, responses, data, response_id, error.field_errors)
        return Template("tickets/canned.html", context=context, status_code=422)
    return Redirect("/reponses-types/", status_code=303)


def _context(
    agent: CurrentAgent,
    responses: list[CannedResponse],
    form: CannedForm,
    editing: int | None,
    errors: dict[str, str],
) -> dict[str, object]:
    """The page's context."""
    return {
        "agent": agent,
        "nav": "canned",
        "responses": responses,
        "form": form,
        "editing": editing,
        "errors": errors,
        "placeholders": canned.PLACEHOLDERS,
    }
