"""Actions on a ticket: reply, note, status, hand-over, assignment, merge, link, presence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, ParamSpec

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.dossier_links.service import verified_dossier
from helpdesk.errors import DomainError, NotFoundError, StaleVersionError
from helpdesk.intake import service as intake_service
from helpdesk.policy import Action, console_ticket
from helpdesk.tickets import canned, fields, handover, kb_panel, merge, presence, service
from helpdesk.tickets.models import MessageKind
from helpdesk.tickets.page import ticket_context
from helpdesk.web.audit import client_address
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
P = ParamSpec("P")


class MessageForm(WebForm):
    """A reply or a note."""

    body: str = ""
    kind: MessageKind = MessageKind.INTERNAL_NOTE
    version: int


class StatusForm(WebForm):
    """A status change."""

    status: str
    reason: str = ""
    version: int


class HandoverForm(WebForm):
    """A hand-over to another queue, with the structured summary or the answer."""

    to_queue: str
    reason: str = ""
    checked: str = ""
    question: str = ""
    answer: str = ""
    version: int


class AssignForm(WebForm):
    """An assignment: an agent id, "me", or empty for nobody."""

    assignee_id: str = ""
    version: int


class FieldsForm(WebForm):
    """The ticket's procedure, motif and priority, as corrected by the agent."""

    procedure: str = ""
    category: str = ""
    priority: str = "normal"
    version: int


class DraftForm(WebForm):
    """The reply being written, sent along when an article is inserted."""

    body: str = ""


class ReferenceForm(WebForm):
    """Another ticket, by its reference (merge or link)."""

    reference: str = ""
    reason: str = ""


def _back(ticket_id: int) -> Redirect:
    """Back to the ticket page after an action (POST-redirect-GET)."""
    return Redirect(f"/tickets/{ticket_id}", status_code=303)


@dataclass(frozen=True)
class TicketAction:
    """Who acts on which ticket, and what they typed (shown again if the action is refused)."""

    session: Session
    agent: Agent
    ticket_id: int
    draft: str = ""
    kept: dict[str, str] = field(default_factory=dict)

    def run(
        self, service_call: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs
    ) -> Redirect | Template:
        """Carry out one service call; a refusal changes nothing and shows the ticket again."""
        console_ticket(self.session, self.agent, self.ticket_id)
        try:
            with attempt(self.session):
                service_call(*args, **kwargs)
        except NotFoundError:
            raise
        except DomainError as error:
            return self._page_with(error)
        return _back(self.ticket_id)

    def _page_with(self, error: DomainError) -> Template:
        """The ticket page again, with the refusal beside the form and the typed text kept."""
        ticket = console_ticket(self.session, self.agent, self.ticket_id)
        stale = isinstance(error, StaleVersionError)
        context = ticket_context(
            self.session,
            agent=self.agent,
            ticket=ticket,
            draft=self.draft,
            conflict=error.message if stale else None,
        )
        if not stale:
            context.update(refusal=error, kept=self.kept)
        return Template("tickets/ticket.html", context=context, status_code=error.status_code)


class TicketActionsController(Controller):
    """Every state-changing action of the ticket page (all POST, all CSRF-checked)."""

    path = "/tickets/{ticket_id:int}"
    request_class = HTMXRequest

    @post("/messages", sync_to_thread=True)
    def add_message(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[MessageForm, FORM],
    ) -> Redirect | Template:
        """Add a public reply or an internal note."""
        kind = data.kind if data.kind != MessageKind.REQUESTER else MessageKind.INTERNAL_NOTE
        return TicketAction(db_session, agent, ticket_id, draft=data.body).run(
            service.add_message,
            db_session,
            ticket_id=ticket_id,
            kind=kind,
            body=data.body,
            actor=agent,
            expected_version=data.version,
        )

    @post("/status", sync_to_thread=True)
    def change_status(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[StatusForm, FORM],
    ) -> Redirect | Template:
        """Move the ticket along its lifecycle."""
        return TicketAction(
            db_session, agent, ticket_id, kept=data.model_dump(exclude={"version"})
        ).run(
            service.change_status,
            db_session,
            ticket_id=ticket_id,
            status=data.status,
            actor=agent,
            reason=data.reason or None,
            expected_version=data.version,
        )

    @post("/handover", sync_to_thread=True)
    def hand_over(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[HandoverForm, FORM],
    ) -> Redirect | Template:
        """Escalate, transfer or return the ticket along the chain."""
        return TicketAction(
            db_session, agent, ticket_id, kept=data.model_dump(exclude={"version"})
        ).run(
            handover.hand_over,
            db_session,
            ticket_id=ticket_id,
            to_queue_code=data.to_queue,
            reason=data.reason,
            checked=data.checked,
            question=data.question,
            answer=data.answer,
            actor=agent,
            expected_version=data.version,
        )

    @post("/assign", sync_to_thread=True)
    def assign(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[AssignForm, FORM],
    ) -> Redirect | Template:
        """Take the ticket, or assign it to a member of its queue (or to nobody)."""
        raw = data.assignee_id
        assignee_id = agent.id if raw == "me" else (int(raw) if raw.isdigit() else None)
        return TicketAction(db_session, agent, ticket_id).run(
            service.assign,
            db_session,
            ticket_id=ticket_id,
            assignee_id=assignee_id,
            actor=agent,
            expected_version=data.version,
        )

    @post("/champs", sync_to_thread=True)
    def update_fields(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[FieldsForm, FORM],
    ) -> Redirect | Template:
        """Correct the procedure, motif or priority; the routing rules run again."""
        return TicketAction(
            db_session, agent, ticket_id, kept=data.model_dump(exclude={"version"})
        ).run(
            fields.update_fields,
            db_session,
            ticket_id=ticket_id,
            actor=agent,
            procedure=data.procedure,
            category=data.category,
            priority=data.priority,
            expected_version=data.version,
        )

    @post("/fusion", sync_to_thread=True)
    def merge_into(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[ReferenceForm, FORM],
    ) -> Redirect | Template:
        """Merge this ticket into another ticket of the same requester."""
        return TicketAction(db_session, agent, ticket_id, kept=data.model_dump()).run(
            merge.merge,
            db_session,
            source_id=ticket_id,
            target_reference=data.reference,
            actor=agent,
            reason=data.reason,
        )

    @post("/liens", sync_to_thread=True)
    def link(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[ReferenceForm, FORM],
    ) -> Redirect | Template:
        """Link a related ticket."""
        return TicketAction(db_session, agent, ticket_id, kept=data.model_dump()).run(
            merge.link, db_session, ticket_id=ticket_id, other_reference=data.reference, actor=agent
        )

    @post("/lien-de-suivi", sync_to_thread=True)
    def reissue_follow_up_link(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Redirect | Template:
        """Revoke the requester's follow-up links and e-mail them a new one."""
        return TicketAction(db_session, agent, ticket_id).run(
            intake_service.reissue_link,
            db_session,
            ticket_id=ticket_id,
            actor=agent,
            base_url=state.settings.base_url,
            address=client_address(request),
        )

    @post("/presence", sync_to_thread=True)
    def presence(
        self, db_session: DbSession, agent: CurrentAgent, ticket_id: FromPath[int]
    ) -> Template:
        """Note that the agent has the page open; answer who else has it open."""
        console_ticket(db_session, agent, ticket_id)
        presence.heartbeat(db_session, ticket_id=ticket_id, agent=agent)
        others = presence.others_viewing(db_session, ticket_id=ticket_id, agent=agent)
        return Template("tickets/_presence.html", context={"others_viewing": others})

    @post("/articles/{slug:str}/inserer", sync_to_thread=True)
    def insert_article(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        slug: FromPath[str],
        data: Annotated[DraftForm, FORM],
    ) -> Template:
        """Add an article's link and summary to the reply draft and record it as used."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.NOTE)
        draft = kb_panel.insert_article(
            db_session,
            agent=agent,
            ticket=ticket,
            slug=slug,
            draft=data.body,
            base_url=state.settings.base_url,
        )
        context = ticket_context(
            db_session, agent=agent, ticket=ticket, draft=draft, live=state.kb_index
        )
        return Template(
            "tickets/_reply_form.html" if request.htmx else "tickets/ticket.html", context=context
        )

    @get("/reponse", sync_to_thread=True)
    def reply_form(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        reponse_type: FromQuery[int | None] = None,
    ) -> Template:
        """The reply form, prefilled with a canned response (htmx fragment or full page)."""
        ticket = console_ticket(db_session, agent, ticket_id)
        draft = ""
        if reponse_type is not None:
            dossier = verified_dossier(
                state.dossier_source, number=ticket.dossier_number, email=ticket.requester_email
            )
            draft = canned.render(
                db_session,
                agent=agent,
                response_id=reponse_type,
                ticket=ticket,
                dossier_status=dossier.status_words if dossier else "",
            )
        context = ticket_context(
            db_session, agent=agent, ticket=ticket, draft=draft, live=state.kb_index
        )
        name = "tickets/_reply_form.html" if request.htmx else "tickets/ticket.html"
        return Template(name, context=context)
