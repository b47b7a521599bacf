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
from helpdesk.tickets.models import PRIORITY_LABELS, CannedResponse
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_redirect
from helpdesk.web.forms import WebForm


class CannedForm(WebForm):
    """The fields of a canned response (and of the macro it may be)."""

    title: str = ""
    body: str = ""
    active: bool = False
    folder: str = ""
    language: str = "fr"
    macro_status: str = ""
    macro_priority: str = ""
    macro_tags: str = ""

    def more(self) -> dict[str, str]:
        """The folder, language and macro fields, as canned.save takes them."""
        return self.model_dump(include={"folder", "language", *MACRO_FIELDS})


MACRO_FIELDS = ("macro_status", "macro_priority", "macro_tags")


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

    @post("/{response_id:int}/suppression", sync_to_thread=True)
    def delete(
        self, db_session: DbSession, agent: CurrentAgent, response_id: FromPath[int]
    ) -> Redirect:
        """Remove a response for good."""
        title = canned.delete(db_session, agent=agent, response_id=response_id)
        return flash_redirect("/reponses-types/", f"Élément de langage « {title} » supprimé")


def _save(
    db_session: DbSession, agent: CurrentAgent, data: CannedForm, response_id: int | None
) -> Template | Redirect:
    """Save, or show the form again with the errors and the input kept."""
    try:
        with attempt(db_session):
            saved = canned.save(
                db_session,
                agent=agent,
                title=data.title,
                body=data.body,
                active=data.active,
                response_id=response_id,
                **data.more(),
            )
    except ValidationFailedError as error:
        responses = canned.all_for_manager(db_session, agent=agent)
        context = _context(agent, responses, data, response_id, error.field_errors)
        context["refusal"] = error
        return Template("tickets/canned.html", context=context, status_code=422)
    done = "créé" if response_id is None else "enregistré"
    return flash_redirect(
        f"/reponses-types/#element-{saved.id}", f"Élément de langage « {saved.title} » {done}"
    )


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
        "languages": canned.LANGUAGES,
        "folders": sorted({*canned.FOLDERS, *(r.folder for r in responses if r.folder)}),
        "macro_statuses": canned.MACRO_STATUSES,
        "priorities": PRIORITY_LABELS,
    }
