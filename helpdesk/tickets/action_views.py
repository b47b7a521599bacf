"""Actions on a ticket: reply, note, status, hand-over, assignment, merge, link, presence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ParamSpec

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template
from sqlmodel import Session

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Target
from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.dossier_links.service import verified_dossier
from helpdesk.errors import DomainError, StaleVersionError
from helpdesk.intake import service as intake_service
from helpdesk.policy import Action, console_ticket
from helpdesk.tickets import (
    canned,
    confirmations,
    fields,
    handover,
    kb_panel,
    merge,
    presence,
    previews,
    service,
)
from helpdesk.tickets.models import MessageKind
from helpdesk.tickets.page import ticket_context
from helpdesk.web.audit import client_address, record_beside
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_redirect
from helpdesk.web.forms import WebForm

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
P = ParamSpec("P")


class MessageForm(WebForm):
    """A reply or a note; `send` is the button pressed (it says the kind and the status)."""

    body: str = ""
    kind: MessageKind = MessageKind.INTERNAL_NOTE
    send: str = ""
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


class TakeForm(WebForm):
    """Taking the ticket: only the version the agent saw."""

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


@dataclass(frozen=True)
class TicketAction:
    """Who acts on which ticket, what they typed (shown again if the action is refused), which
    form they used (opened again with its error) and what to tell them once it is done."""

    session: Session
    agent: Agent
    ticket_id: int
    done: str | Callable[[Any], str]
    draft: str = ""
    kept: dict[str, str] = field(default_factory=dict)
    form: str = ""

    def run(
        self, service_call: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs
    ) -> Redirect | Template:
        """Carry out one service call; a refusal changes nothing and shows the ticket again."""
        console_ticket(self.session, self.agent, self.ticket_id)
        try:
            with attempt(self.session):
                result = service_call(*args, **kwargs)
        except DomainError as error:  # a missing ticket is a 404 again in _page_with
            return self._page_with(error)
        text = self.done if isinstance(self.done, str) else self.done(result)
        return flash_redirect(f"/tickets/{self.ticket_id}", text)

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
        context.update(open_form=self.form)
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
        """Add a public reply or an internal note, with the status the button chose."""
        kind, then_status = confirmations.message_choice(data.send, data.kind)
        done = confirmations.message_done(db_session, ticket_id=ticket_id, kind=kind)
        action = TicketAction(db_session, agent, ticket_id, done, draft=data.body, form="message")
        return action.run(
            service.add_message,
            db_session,
            ticket_id=ticket_id,
            kind=kind,
            body=data.body,
            actor=agent,
            expected_version=data.version,
            then_status=then_status,
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
            db_session,
            agent,
            ticket_id,
            confirmations.status_done,
            kept=data.model_dump(exclude={"version"}),
            form="status",
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
            db_session,
            agent,
            ticket_id,
            confirmations.handover_done(db_session, ticket_id=ticket_id),
            kept=data.model_dump(exclude={"version"}),
            form="handover",
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
        """Assign the ticket to a member of its queue (or to nobody)."""
        raw = data.assignee_id
        assignee_id = agent.id if raw == "me" else (int(raw) if raw.isdigit() else None)
        done = confirmations.assign_done(db_session, agent=agent)
        kept = {"assignee_id": raw}
        return TicketAction(db_session, agent, ticket_id, done, kept=kept, form="assign").run(
            service.assign,
            db_session,
            ticket_id=ticket_id,
            assignee_id=assignee_id,
            actor=agent,
            expected_version=data.version,
        )

    @post("/prendre", sync_to_thread=True)
    def take(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[TakeForm, FORM],
    ) -> Redirect | Template:
        """Take the ticket: assign it to oneself."""
        return TicketAction(db_session, agent, ticket_id, "Vous avez pris ce ticket").run(
            service.assign,
            db_session,
            ticket_id=ticket_id,
            assignee_id=agent.id,
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
            db_session,
            agent,
            ticket_id,
            "Champs du ticket enregistrés ; le routage a été relancé",
            kept=data.model_dump(exclude={"version"}),
            form="fields",
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
        done = confirmations.merge_done
        kept = data.model_dump()
        return TicketAction(db_session, agent, ticket_id, done, kept=kept, form="merge").run(
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
        done = f"Ticket lié à {data.reference.strip().upper()[:40]}"
        kept = data.model_dump()
        return TicketAction(db_session, agent, ticket_id, done, kept=kept, form="link").run(
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
        done = "Nouveau lien de suivi envoyé à l'usager ; l'ancien ne fonctionne plus"
        return TicketAction(db_session, agent, ticket_id, done).run(
            intake_service.reissue_link,
            db_session,
            ticket_id=ticket_id,
            actor=agent,
            base_url=state.settings.base_url,
            address=client_address(request),
        )

    @get("/pieces-jointes/{attachment_id:int}/apercu", sync_to_thread=True)
    def preview(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        """An image or a PDF shown in the page, sandboxed; any other type is a 404."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.DOWNLOAD)
        attachment = previews.previewable(db_session, ticket=ticket, attachment_id=attachment_id)
        target = Target(ticket_id=ticket.id, object_kind="attachment", object_id=str(attachment.id))
        record_beside(request, AuditKind.ATTACHMENT_DOWNLOADED, agent, target)
        return previews.inline_file(state.settings.storage_dir, attachment)

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
