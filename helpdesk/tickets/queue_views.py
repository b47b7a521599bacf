"""Queue pages and search: filters in the URL, keyset pages, auto-refresh, bulk actions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from pydantic import Field, field_validator

from dossiers.catalog import CATALOG
from helpdesk.errors import NotFoundError
from helpdesk.policy import Action, ensure, visible_queues
from helpdesk.tickets import bulk
from helpdesk.tickets.listing import AGES, RELEVANCE, SORTS, QueueFilters, list_tickets
from helpdesk.tickets.models import PRIORITY_LABELS, STATUS_LABELS, Channel, Queue
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm, as_list

FILTER_FIELDS = (
    "status",
    "procedure",
    "channel",
    "priority",
    "assigned",
    "age_days",
    "q",
    "sla",
    "sort",
)


class BulkForm(WebForm):
    """An action on the tickets selected in a list."""

    ticket_ids: list[int] = Field(default_factory=list)
    action: str = ""
    status: str = ""
    to_queue: str = ""
    reason: str = ""
    checked: str = ""
    question: str = ""
    back: str = "/"

    @field_validator("ticket_ids", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        return as_list(value)


def filters_from(request: HTMXRequest, queue: Queue | None) -> QueueFilters:
    """The filters of the URL, ignoring anything unknown or too long."""
    values = {name: request.query_params.get(name, "")[:200] for name in (*FILTER_FIELDS, "after")}
    values = {name: value for name, value in values.items() if value}
    if values.get("sort") not in SORTS:
        values.pop("sort", None)
        if queue is None and values.get("q"):
            values["sort"] = RELEVANCE  # a search shows the best matches first
    return QueueFilters(queue_id=queue.id if queue else None, **values)


def list_context(
    db_session: DbSession, agent: CurrentAgent, queue: Queue | None, filters: QueueFilters
) -> dict[str, Any]:
    """What the list page and its refresh fragment show."""
    page = list_tickets(db_session, agent=agent, filters=filters)
    queues = {q.id: q for q in visible_queues(db_session, agent)}
    return {
        "agent": agent,
        "nav": "search" if queue is None else "home",
        "queue": queue,
        "queues_by_id": queues,
        "filters": filters,
        "page": page,
        "statuses": STATUS_LABELS,
        "priorities": PRIORITY_LABELS,
        "channels": [c.value for c in Channel],
        "procedures": CATALOG,
        "sorts": SORTS,
        "ages": AGES,
        "base_path": f"/files/{queue.code}" if queue else "/recherche",
    }


class QueueController(Controller):
    """Lists of tickets: one queue, or a search over every ticket the agent may see."""

    @get("/files/{code:str}", sync_to_thread=True)
    def queue_page(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        code: FromPath[str],
    ) -> Template:
        """A queue's tickets with filters; htmx requests get the rows only."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        queue = next((q for q in visible_queues(db_session, agent) if q.code == code), None)
        if queue is None:
            raise NotFoundError("Cette file n'existe pas ou ne vous est pas accessible.")
        context = list_context(db_session, agent, queue, filters_from(request, queue))
        name = "tickets/_rows.html" if request.htmx else "tickets/queue.html"
        return Template(name, context=context)

    @get("/recherche", sync_to_thread=True)
    def search_page(
        self, request: HTMXRequest, db_session: DbSession, agent: CurrentAgent
    ) -> Template:
        """Search every ticket the agent may see (reference, subject, messages, e-mail, dossier)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        context = list_context(db_session, agent, None, filters_from(request, None))
        name = "tickets/_rows.html" if request.htmx else "tickets/queue.html"
        return Template(name, context=context)

    @post("/tickets/lot", sync_to_thread=True)
    def bulk_action(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[BulkForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """Assign, change the status of, or hand over the selected tickets."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        todo = bulk.BulkAction(
            action=data.action,
            status=data.status,
            to_queue=data.to_queue,
            reason=data.reason,
            checked=data.checked,
            question=data.question,
        )
        bulk.apply(db_session, agent=agent, ticket_ids=data.ticket_ids, todo=todo)
        back = data.back if data.back.startswith("/") and not data.back.startswith("//") else "/"
        return Redirect(back, status_code=303)
