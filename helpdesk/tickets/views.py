"""Agent console: home with the queues, a queue's tickets, a ticket page and its actions."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import File, Redirect, Template
from pydantic import BaseModel
from sqlmodel import Session

from helpdesk.auth.models import ROLE_LABELS, Agent, Organisation, Role
from helpdesk.errors import NotFoundError
from helpdesk.tickets import lifecycle, queries, service
from helpdesk.tickets.attachments import attachment_path
from helpdesk.tickets.models import Attachment, MessageKind, Queue, Ticket
from helpdesk.tickets.permissions import can_act_on, can_read, visible_queues
from helpdesk.web.dependencies import CurrentAgent, DbSession

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class MessageForm(BaseModel):
    """A reply or a note."""

    body: str = ""
    kind: MessageKind = MessageKind.INTERNAL_NOTE
    version: int


class StatusForm(BaseModel):
    """A status change."""

    status: str
    reason: str = ""
    version: int


class HandoverForm(BaseModel):
    """A hand-over to another queue."""

    to_queue: str
    reason: str = ""
    version: int


class AssignForm(BaseModel):
    """An assignment; empty means unassigned."""

    assignee_id: str = ""
    version: int


def readable_ticket(session: Session, agent: CurrentAgent, ticket_id: FromPath[int]) -> Ticket:
    """The ticket if the agent may see it; otherwise the same 404 as a missing one."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not can_read(session, agent, ticket):
        raise NotFoundError("Ce ticket n'existe pas ou ne vous est pas accessible.")
    return ticket


class ConsoleController(Controller):
    """The agent console."""

    @get("/", sync_to_thread=True)
    def home(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The agent's queues with the number of tickets in progress."""
        queues = visible_queues(db_session, agent)
        return Template(
            "tickets/home.html",
            context={
                "agent": agent,
                "nav": "home",
                "organisation": db_session.get(Organisation, agent.organisation_id),
                "role_label": ROLE_LABELS.get(Role(agent.role), agent.role),
                "queues": queues,
                "counts": queries.open_counts(db_session, queues),
            },
        )

    @get("/files/{code:str}", sync_to_thread=True)
    def queue_page(
        self, db_session: DbSession, agent: CurrentAgent, code: FromPath[str]
    ) -> Template:
        """The tickets in progress in one queue."""
        queue = next((q for q in visible_queues(db_session, agent) if q.code == code), None)
        if queue is None:
            raise NotFoundError("Cette file n'existe pas ou ne vous est pas accessible.")
        return Template(
            "tickets/queue.html",
            context={
                "agent": agent,
                "nav": "home",
                "queue": queue,
                "tickets": queries.queue_tickets(db_session, queue),
            },
        )

    @get("/tickets/{ticket_id:int}", sync_to_thread=True)
    def ticket_page(
        self, db_session: DbSession, agent: CurrentAgent, ticket_id: FromPath[int]
    ) -> Template:
        """A ticket: header, conversation, history and the actions the agent may take."""
        ticket = readable_ticket(db_session, agent, ticket_id)
        may_act = can_act_on(db_session, agent, ticket)
        return Template(
            "tickets/ticket.html",
            context={
                "agent": agent,
                "ticket": ticket,
                "queue": db_session.get(Queue, ticket.queue_id),
                "owner_queue": db_session.get(Queue, ticket.owner_queue_id),
                "assignee": db_session.get(Agent, ticket.assignee_id)
                if ticket.assignee_id
                else None,
                "messages": queries.conversation(db_session, ticket),
                "attachments": queries.attachments(db_session, ticket),
                "events": queries.history(db_session, ticket),
                "may_act": may_act,
                "next_statuses": lifecycle.next_statuses(ticket.status) if may_act else [],
                "targets": queries.handover_targets(db_session, ticket) if may_act else [],
                "members": queries.queue_members(db_session, ticket.queue_id) if may_act else [],
            },
        )

    @get("/tickets/{ticket_id:int}/pieces-jointes/{attachment_id:int}", sync_to_thread=True)
    def download(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        """An attachment, always as a download, for those who may see its ticket."""
        ticket = readable_ticket(db_session, agent, ticket_id)
        attachment = db_session.get(Attachment, attachment_id)
        if attachment is None or attachment.ticket_id != ticket.id:
            raise NotFoundError("Cette pièce jointe n'existe pas.")
        return File(
            path=attachment_path(state.settings.storage_dir, attachment),
            filename=attachment.display_name,
            media_type="application/octet-stream",
            content_disposition_type="attachment",
            headers={"Cache-Control": "private, no-store"},
        )

    @post("/tickets/{ticket_id:int}/messages", sync_to_thread=True)
    def add_message(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[MessageForm, FORM],
    ) -> Redirect:
        """Add a public reply or an internal note."""
        readable_ticket(db_session, agent, ticket_id)
        kind = data.kind if data.kind != MessageKind.REQUESTER else MessageKind.INTERNAL_NOTE
        service.add_message(
            db_session,
            ticket_id=ticket_id,
            kind=kind,
            body=data.body,
            actor=agent,
            expected_version=data.version,
        )
        return Redirect(f"/tickets/{ticket_id}", status_code=303)

    @post("/tickets/{ticket_id:int}/status", sync_to_thread=True)
    def change_status(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[StatusForm, FORM],
    ) -> Redirect:
        """Move the ticket along its lifecycle."""
        readable_ticket(db_session, agent, ticket_id)
        service.change_status(
            db_session,
            ticket_id=ticket_id,
            status=data.status,
            actor=agent,
            reason=data.reason or None,
            expected_version=data.version,
        )
        return Redirect(f"/tickets/{ticket_id}", status_code=303)

    @post("/tickets/{ticket_id:int}/handover", sync_to_thread=True)
    def hand_over(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[HandoverForm, FORM],
    ) -> Redirect:
        """Hand the ticket over to another queue of the chain."""
        readable_ticket(db_session, agent, ticket_id)
        service.hand_over(
            db_session,
            ticket_id=ticket_id,
            to_queue_code=data.to_queue,
            reason=data.reason,
            actor=agent,
            expected_version=data.version,
        )
        return Redirect(f"/tickets/{ticket_id}", status_code=303)

    @post("/tickets/{ticket_id:int}/assign", sync_to_thread=True)
    def assign(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        data: Annotated[AssignForm, FORM],
    ) -> Redirect:
        """Assign the ticket to a member of its queue (or to nobody)."""
        readable_ticket(db_session, agent, ticket_id)
        assignee_id = _parse_assignee(data.assignee_id, agent)
        service.assign(
            db_session,
            ticket_id=ticket_id,
            assignee_id=assignee_id,
            actor=agent,
            expected_version=data.version,
        )
        return Redirect(f"/tickets/{ticket_id}", status_code=303)


def _parse_assignee(raw: str, agent: CurrentAgent) -> int | None:
    """'me', an agent id, or empty for unassigned."""
    if raw == "me":
        return agent.id
    return int(raw) if raw.isdigit() else None
