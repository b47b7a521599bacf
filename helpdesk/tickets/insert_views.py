"""Putting text into the reply being written: éléments de langage, KB articles and macros.

With JavaScript (helpdesk/static/draft-insert.js) the `…/texte` routes answer text/plain that
the page inserts at the cursor of the reply. Without it, the insert buttons submit the reply
form itself to `…/inserer`: the page comes back with the draft kept and the text at its end.
A macro also changes the ticket, so it always comes back as a page with a confirmation.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Response, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.dossier_links.service import verified_dossier
from helpdesk.errors import DomainError, NotFoundError, StaleVersionError
from helpdesk.policy import Action, console_ticket
from helpdesk.tickets import canned, kb_panel, macros
from helpdesk.tickets.canned_picker import canned_context
from helpdesk.tickets.models import CannedResponse, Ticket
from helpdesk.tickets.page import ticket_context
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_of
from helpdesk.web.forms import WebForm

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class DraftForm(WebForm):
    """The reply form as sent by an insert or macro button: the draft, the page's version and,
    when draft-insert.js set it, the cursor's place in the draft (UTF-16 units, as in JS)."""

    body: str = ""
    version: str = ""
    insert_at: str = ""

    def expected_version(self) -> int | None:
        """The version the page showed (None when absent or unreadable)."""
        return int(self.version) if self.version.isdigit() and len(self.version) < 10 else None


class InsertController(Controller):
    """The picker's fragment and the insert and macro actions of the ticket page."""

    path = "/tickets/{ticket_id:int}"
    request_class = HTMXRequest

    @get("/elements", sync_to_thread=True)
    def picker(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        q: FromQuery[str] = "",
        dossier: FromQuery[str] = "",
        langue: FromQuery[str | None] = None,
    ) -> Template:
        """The éléments de langage matching the search (fragment), or the ticket page with them."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.NOTE)
        context = canned_context(
            db_session, agent=agent, ticket=ticket, query=q, folder=dossier, language=langue
        )
        if request.htmx:
            name = (
                "_canned_results" if request.htmx.target == "canned-results" else "_canned_picker"
            )
            return Template(f"tickets/{name}.html", context={**context, "ticket": ticket})
        return _page(db_session, state, agent, ticket, draft="", picked=context)

    @post("/elements/{canned_id:int}/texte", sync_to_thread=True, status_code=200)
    def canned_text(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        canned_id: FromPath[int],
    ) -> Response[str]:
        """The élément de langage filled in for this ticket, as plain text to insert."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.NOTE)
        return _plain(_filled(db_session, state, agent, ticket, canned_id))

    @post("/elements/{canned_id:int}/inserer", sync_to_thread=True, status_code=200)
    def insert_canned(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        canned_id: FromPath[int],
        data: Annotated[DraftForm, FORM],
    ) -> Template:
        """The ticket page with the élément de langage added at the end of the draft."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.NOTE)
        response = canned.usable(db_session, agent=agent, response_id=canned_id)
        text = _filled(db_session, state, agent, ticket, canned_id)
        draft = _appended(data.body, text)
        flash = flash_of(f"Élément « {response.title} » ajouté à la fin de votre réponse")
        return _page(db_session, state, agent, ticket, draft=draft, flash=flash)

    @post("/articles/{slug:str}/texte", sync_to_thread=True, status_code=200)
    def article_text(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        slug: FromPath[str],
    ) -> Response[str]:
        """A public article's title, summary and link, as plain text to insert; the use is
        recorded (an internal article gives an empty text: it is never quoted)."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.NOTE)
        text = kb_panel.article_text(
            db_session, agent=agent, ticket=ticket, slug=slug, base_url=state.settings.base_url
        )
        return _plain(text)

    @post("/macros/{canned_id:int}", sync_to_thread=True, status_code=200)
    def apply_macro(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        canned_id: FromPath[int],
        data: Annotated[DraftForm, FORM],
    ) -> Template:
        """Apply a macro: its text goes into the draft, its status, priority and tags onto the
        ticket, all at once; a refusal changes nothing and keeps the draft."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.NOTE)
        response = canned.usable(db_session, agent=agent, response_id=canned_id)
        dossier_status = _dossier_status(state, ticket, response)  # read before the lock
        try:
            with attempt(db_session):
                result = macros.apply_macro(
                    db_session,
                    ticket_id=ticket_id,
                    response_id=canned_id,
                    actor=agent,
                    expected_version=data.expected_version(),
                    dossier_status=dossier_status,
                )
        except NotFoundError:
            raise
        except DomainError as error:
            return _refused(db_session, state, agent, ticket_id, data.body, error)
        draft = _inserted(data.body, result.text, data.insert_at)
        return _page(
            db_session, state, agent, ticket, draft=draft, flash=flash_of(result.summary())
        )


def _filled(session: Session, state: State, agent: Agent, ticket: Ticket, canned_id: int) -> str:
    """The response's text for this ticket (the dossier's status read only when it is used)."""
    response = canned.usable(session, agent=agent, response_id=canned_id)
    return canned.fill(
        response,
        agent=agent,
        ticket=ticket,
        dossier_status=_dossier_status(state, ticket, response),
    )


def _dossier_status(state: State, ticket: Ticket, response: CannedResponse) -> str:
    """The linked dossier's status in words, when the response shows it ("" if unknown)."""
    if "{statut_dossier}" not in response.body:
        return ""
    dossier = verified_dossier(
        state.dossier_source, number=ticket.dossier_number, email=ticket.requester_email
    )
    return dossier.status_words if dossier else ""


def _appended(draft: str, text: str) -> str:
    """The draft with the text after it, a blank line between (the draft alone if no text)."""
    draft = draft.replace("\r\n", "\n")
    if not text:
        return draft
    return f"{draft.rstrip()}\n\n{text}" if draft.strip() else text


def _inserted(draft: str, text: str, insert_at: str) -> str:
    """The text at the cursor's place in the draft when known, else at its end."""
    draft = draft.replace("\r\n", "\n")
    units = draft.encode("utf-16-le")
    if (
        not text
        or not insert_at.isdigit()
        or len(insert_at) > 9
        or int(insert_at) * 2 >= len(units)
    ):
        return _appended(draft, text)
    before = units[: int(insert_at) * 2].decode("utf-16-le", errors="ignore")
    after = draft[len(before) :]
    lead = (
        "" if not before or before.endswith("\n\n") else ("\n" if before.endswith("\n") else "\n\n")
    )
    tail = "" if after.startswith("\n\n") else ("\n" if after.startswith("\n") else "\n\n")
    return f"{before}{lead}{text}{tail}{after}"


def _plain(text: str) -> Response[str]:
    """A text/plain answer that no cache keeps."""
    return Response(text, media_type=MediaType.TEXT, headers={"Cache-Control": "no-store"})


def _page(
    session: Session,
    state: State,
    agent: Agent,
    ticket: Ticket,
    *,
    draft: str,
    flash: dict[str, str] | None = None,
    picked: dict[str, Any] | None = None,
) -> Template:
    """The ticket page with this draft in the reply form (and a confirmation)."""
    context = ticket_context(session, agent=agent, ticket=ticket, draft=draft, live=state.kb_index)
    context.update(picked or canned_context(session, agent=agent, ticket=ticket))
    if flash:
        context["flash"] = flash
    return Template("tickets/ticket.html", context=context)


def _refused(
    session: Session, state: State, agent: Agent, ticket_id: int, draft: str, error: DomainError
) -> Template:
    """The ticket page again with the refusal, the draft kept and nothing changed."""
    ticket = console_ticket(session, agent, ticket_id)
    stale = isinstance(error, StaleVersionError)
    context = ticket_context(
        session,
        agent=agent,
        ticket=ticket,
        draft=draft.replace("\r\n", "\n"),
        live=state.kb_index,
        conflict=error.message if stale else None,
    )
    context.update(canned_context(session, agent=agent, ticket=ticket))
    if not stale:
        context["refusal"] = error
    return Template("tickets/ticket.html", context=context, status_code=error.status_code)
