"""Agent console: home with the queues, the ticket page and attachment downloads."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Target, ticket_target
from helpdesk.auth.models import ROLE_LABELS, Organisation, Role
from helpdesk.errors import NotFoundError
from helpdesk.policy import Action, console_ticket, ensure, ticket_for, visible_queues
from helpdesk.tickets.attachments import attachment_path
from helpdesk.tickets.counts import cached_open_counts
from helpdesk.tickets.models import Attachment
from helpdesk.tickets.page import ticket_context
from helpdesk.tickets.view_routes import menu_context
from helpdesk.web.audit import record_beside
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.downloads import file_download


class ConsoleController(Controller):
    """The agent console's pages."""

    @get("/", sync_to_thread=True)
    def home(self, db_session: DbSession, agent: CurrentAgent) -> Template | Redirect:
        """The agent's queues with the number of tickets in progress (référents: their space)."""
        if agent.role == Role.REFERENT:
            return Redirect("/referent/", status_code=303)
        ensure(db_session, agent, Action.USE_CONSOLE)
        queues = visible_queues(db_session, agent)
        return Template(
            "tickets/home.html",
            context={
                "agent": agent,
                "nav": "home",
                "organisation": db_session.get(Organisation, agent.organisation_id),
                "role_label": ROLE_LABELS.get(Role(agent.role), agent.role),
                "queues": queues,
                "counts": cached_open_counts(db_session, queues),
                **menu_context(db_session, agent),
            },
        )

    @get("/tickets/{ticket_id:int}", sync_to_thread=True)
    def ticket_page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Template | Redirect:
        """A ticket: header, conversation, history and the actions the agent may take."""
        if agent.role == Role.REFERENT:  # their own space shows their site's signalements
            ticket_for(db_session, agent, ticket_id, Action.VIEW)
            return Redirect(f"/referent/signalements/{ticket_id}", status_code=303)
        ticket = console_ticket(db_session, agent, ticket_id)
        context = ticket_context(db_session, agent=agent, ticket=ticket, live=state.kb_index)
        record_beside(request, AuditKind.TICKET_VIEWED, agent, ticket_target(ticket.id))
        return Template("tickets/ticket.html", context=context)

    @get("/tickets/{ticket_id:int}/pieces-jointes/{attachment_id:int}", sync_to_thread=True)
    def download(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        """An attachment, always as a download, for those who may see its ticket."""
        ticket = console_ticket(db_session, agent, ticket_id, Action.DOWNLOAD)
        attachment = db_session.get(Attachment, attachment_id)
        if attachment is None or attachment.ticket_id != ticket.id:
            raise NotFoundError("Cette pièce jointe n'existe pas.")
        target = Target(ticket_id=ticket.id, object_kind="attachment", object_id=str(attachment.id))
        record_beside(request, AuditKind.ATTACHMENT_DOWNLOADED, agent, target)
        return file_download(
            attachment_path(state.settings.storage_dir, attachment), attachment.display_name
        )
