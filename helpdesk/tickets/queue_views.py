"""Queue pages and search: filters in the URL, keyset pages, auto-refresh, bulk actions."""

from __future__ import annotations

from collections.abc import Mapping
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
from helpdesk.tickets.builtin_views import VIEWS
from helpdesk.tickets.list_memory import list_cookie
from helpdesk.tickets.listing import AGES, RELEVANCE, SORTS, QueueFilters, list_tickets
from helpdesk.tickets.models import PRIORITY_LABELS, STATUS_LABELS, Channel, Queue
from helpdesk.tickets.saved_views import shareable_queues
from helpdesk.tickets.sealed_search import seal, unseal
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm, as_list

LANGUAGE_LABELS = {"fr": "Français", "en": "English"}
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


class FiltersForm(WebForm):
    """The filter form, posted so that the search words never travel in a URL."""

    status: str = ""
    procedure: str = ""
    channel: str = ""
    priority: str = ""
    assigned: str = ""
    age_days: str = ""
    q: str = ""
    sla: str = ""
    sort: str = ""


def filters_from(
    request: HTMXRequest,
    queue: Queue | None,
    given: dict[str, str] | None = None,
    *,
    view: str = "",
) -> QueueFilters:
    """The filters of the URL (or of the posted form), ignoring anything unknown or too long;
    the search words come sealed (`qs`), or in clear from an old link."""
    secret = request.app.state.settings.secret
    source = given if given is not None else request.query_params
    return parse_filters(secret, source, queue=queue, view=view, sealed=given is None)


def parse_filters(
    secret: str,
    source: Mapping[str, Any],
    *,
    queue: Queue | None,
    view: str = "",
    sealed: bool = True,
) -> QueueFilters:
    """Filters from URL parameters or a form: a list's default status is « en cours », a
    search's every status; an empty status given is « every status »."""
    values = {name: str(source.get(name, ""))[:200] for name in (*FILTER_FIELDS, "after")}
    words = unseal(secret, str(source.get("qs", ""))) if sealed else None
    if words is not None:
        values["q"] = words[:200]
    every_status = "status" in source or (queue is None and not view)
    values = {name: value for name, value in values.items() if value}
    if every_status and "status" not in values:
        values["status"] = ""
    if values.get("sort") not in SORTS:
        values.pop("sort", None)
        if queue is None and values.get("q"):
            values["sort"] = RELEVANCE  # a search shows the best matches first
        elif view in VIEWS:
            values["sort"] = VIEWS[view].sort
    if values.get("q"):
        values["sealed_q"] = seal(secret, values["q"])
    return QueueFilters(queue_id=queue.id if queue else None, view=view, **values)


def list_page(
    request: HTMXRequest, context: dict[str, Any], path: str, filters: QueueFilters
) -> Template:
    """A list page (remembered for the ticket page's navigation), or its rows for htmx."""
    if request.htmx:
        return Template("tickets/_rows.html", context=context)
    cookie = list_cookie(request, path, filters.query_string())
    return Template("tickets/queue.html", context=context, cookies=[cookie])


def _clear_words_in_url(request: HTMXRequest) -> bool:
    """Whether a page was asked with search words in clear (an old link or bookmark)."""
    return bool(request.query_params.get("q")) and not request.htmx


def list_context(
    db_session: DbSession, agent: CurrentAgent, queue: Queue | None, filters: QueueFilters
) -> dict[str, Any]:
    """What the list page and its refresh fragment show."""
    page = list_tickets(db_session, agent=agent, filters=filters)
    queues = {q.id: q for q in visible_queues(db_session, agent)}
    view = VIEWS.get(filters.view)
    return {
        "agent": agent,
        "nav": "views" if view else "search" if queue is None else "home",
        "queue": queue,
        "view": view,
        "list_base": list_base(queue, view.slug if view else ""),
        "shareable_queues": shareable_queues(db_session, agent),
        "queues_by_id": queues,
        "filters": filters,
        "page": page,
        "statuses": STATUS_LABELS,
        "priorities": PRIORITY_LABELS,
        "channels": [c.value for c in Channel],
        "procedures": CATALOG,
        "procedure_labels": {procedure.code: procedure.label for procedure in CATALOG},
        "language_labels": LANGUAGE_LABELS,
        "sorts": SORTS,
        "ages": AGES,
        "base_path": list_path(queue, view.slug if view else ""),
    }


def list_path(queue: Queue | None, view: str = "") -> str:
    """The address of a list: a work view, a queue or the search."""
    if view:
        return f"/vues/{view}"
    return f"/files/{queue.code}" if queue else "/recherche"


def list_base(queue: Queue | None, view: str = "") -> str:
    """What a saved view of this list records as its list (see SavedView.base)."""
    if view:
        return f"view:{view}"
    return f"queue:{queue.code}" if queue else "search"


def _queue_or_404(db_session: DbSession, agent: CurrentAgent, code: str) -> Queue:
    """A queue the agent may see, by its code."""
    ensure(db_session, agent, Action.USE_CONSOLE)
    queue = next((q for q in visible_queues(db_session, agent) if q.code == code), None)
    if queue is None:
        raise NotFoundError("Cette file n'existe pas ou ne vous est pas accessible.")
    return queue


class QueueController(Controller):
    """Lists of tickets: one queue, or a search over every ticket the agent may see."""

    @get("/files/{code:str}", sync_to_thread=True)
    def queue_page(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        code: FromPath[str],
    ) -> Template | Redirect:
        """A queue's tickets with filters; htmx requests get the rows only."""
        queue = _queue_or_404(db_session, agent, code)
        filters = filters_from(request, queue)
        if _clear_words_in_url(request):
            return Redirect(f"/files/{code}?{filters.query_string()}", status_code=303)
        context = list_context(db_session, agent, queue, filters)
        return list_page(request, context, f"/files/{code}", filters)

    @post("/files/{code:str}", sync_to_thread=True)
    def queue_filter(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        code: FromPath[str],
        data: Annotated[FiltersForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """The posted filters, back as the queue's address with the words sealed."""
        queue = _queue_or_404(db_session, agent, code)
        filters = filters_from(request, queue, data.model_dump())
        return Redirect(f"/files/{code}?{filters.query_string()}", status_code=303)

    @get("/recherche", sync_to_thread=True)
    def search_page(
        self, request: HTMXRequest, db_session: DbSession, agent: CurrentAgent
    ) -> Template | Redirect:
        """Search every ticket the agent may see (reference, subject, messages, e-mail, dossier)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        filters = filters_from(request, None)
        if _clear_words_in_url(request):
            return Redirect(f"/recherche?{filters.query_string()}", status_code=303)
        context = list_context(db_session, agent, None, filters)
        return list_page(request, context, "/recherche", filters)

    @post("/recherche", sync_to_thread=True)
    def search_filter(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[FiltersForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """The posted search, back as the search page's address with the words sealed."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        filters = filters_from(request, None, data.model_dump())
        return Redirect(f"/recherche?{filters.query_string()}", status_code=303)

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
