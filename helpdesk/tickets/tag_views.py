"""Adding and removing a ticket's tags (étiquettes) from the ticket page."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from helpdesk.db import attempt
from helpdesk.errors import DomainError, NotFoundError
from helpdesk.policy import Action, console_ticket
from helpdesk.tickets import tags
from helpdesk.tickets.canned_picker import canned_context
from helpdesk.tickets.page import ticket_context
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_redirect
from helpdesk.web.forms import WebForm

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class TagForm(WebForm):
    """One tag, as typed or as shown beside its remove button."""

    tag: str = ""


class TagController(Controller):
    """The tags partial and its two actions."""

    path = "/tickets/{ticket_id:int}/etiquettes"

    @get("/", sync_to_thread=True)
    def fragment(
        self, db_session: DbSession, agent: CurrentAgent, ticket_id: FromPath[int]
    ) -> Template:
        """The ticket's tags with their small form (loaded by the page when it lacks them)."""
        ticket = console_ticket(db_session, agent, ticket_id)
        context = canned_context(db_session, agent=agent, ticket=ticket)
        return Template("tickets/_tags.html", context={**context, "ticket": ticket})

    @post("/", sync_to_thread=True)
    def add(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[TagForm, FORM],
    ) -> Redirect | Template:
        """Put a tag on the ticket; a wrong tag comes back beside the field, kept."""
        console_ticket(db_session, agent, ticket_id, Action.CHANGE_FIELDS)
        try:
            with attempt(db_session):
                tag = tags.add_tag(db_session, ticket_id=ticket_id, actor=agent, raw=data.tag)
        except NotFoundError:
            raise
        except DomainError as error:
            ticket = console_ticket(db_session, agent, ticket_id)
            context = ticket_context(db_session, agent=agent, ticket=ticket, live=state.kb_index)
            context.update(canned_context(db_session, agent=agent, ticket=ticket))
            context.update(
                tag_error=error.field_errors.get("tag", error.message), tag_kept=data.tag
            )
            return Template("tickets/ticket.html", context=context, status_code=error.status_code)
        return flash_redirect(f"/tickets/{ticket_id}", f"Étiquette ajoutée : {tag}")

    @post("/retrait", sync_to_thread=True)
    def remove(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[TagForm, FORM],
    ) -> Redirect:
        """Take a tag off the ticket."""
        console_ticket(db_session, agent, ticket_id, Action.CHANGE_FIELDS)
        removed = tags.remove_tag(db_session, ticket_id=ticket_id, actor=agent, raw=data.tag)
        if removed is None:
            return flash_redirect(
                f"/tickets/{ticket_id}", "Ce ticket ne portait pas cette étiquette.", kind="info"
            )
        return flash_redirect(f"/tickets/{ticket_id}", f"Étiquette retirée : {removed}")
