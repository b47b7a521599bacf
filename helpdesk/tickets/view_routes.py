"""The work views' pages, « Prendre le suivant », and the ticket page's « précédent / suivant »."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from helpdesk.errors import DomainError, NotFoundError
from helpdesk.policy import Action, console_ticket, ensure, visible_queues
from helpdesk.tickets.builtin_views import VIEWS
from helpdesk.tickets.list_memory import list_cookie, recalled_list
from helpdesk.tickets.listing import QueueFilters
from helpdesk.tickets.queue_views import (
    FiltersForm,
    filters_from,
    list_context,
    list_page,
    parse_filters,
)
from helpdesk.tickets.saved_views import visible_views
from helpdesk.tickets.view_navigation import neighbour
from helpdesk.tickets.view_service import take_next, view_counts
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_redirect


class TakeForm(FiltersForm):
    """« Prendre le suivant »: the list's filters as shown (search words sealed in `qs`)."""

    qs: str = ""


NO_LIST = (
    "Ouvrez d'abord une liste (une vue, une file ou une recherche) : les tickets précédent "
    "et suivant sont ceux de la dernière liste ouverte."
)


def _view_or_404(slug: str) -> str:
    """A work view's slug, if it exists."""
    if slug not in VIEWS:
        raise NotFoundError("Cette vue n'existe pas.")
    return slug


def menu_context(db_session: DbSession, agent: CurrentAgent) -> dict[str, Any]:
    """The work views and saved views with their counts (menu, home page, views page)."""
    return {
        "work_views": list(VIEWS.values()),
        "saved_views": visible_views(db_session, agent),
        "view_counts": view_counts(db_session, agent),
    }


class WorkViewController(Controller):
    """« Mes tickets », « Non attribués », « Réponse reçue », « En retard » and their actions."""

    @get("/vues", sync_to_thread=True)
    def views_page(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """Every view of the agent with its count; saved views renamed or deleted here."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        context = {"agent": agent, "nav": "views", **menu_context(db_session, agent)}
        context["queues_by_id"] = {q.id: q for q in visible_queues(db_session, agent)}
        return Template("tickets/views.html", context=context)

    @get("/vues/menu", sync_to_thread=True)
    def views_menu(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The menu's entries with their counts (loaded by the header)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        return Template("tickets/_views_menu_items.html", context=menu_context(db_session, agent))

    @get("/vues/{slug:str}", sync_to_thread=True)
    def view_page(
        self, request: HTMXRequest, db_session: DbSession, agent: CurrentAgent, slug: FromPath[str]
    ) -> Template:
        """A work view's tickets, with the list's filters on top."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        filters = filters_from(request, None, view=_view_or_404(slug))
        context = list_context(db_session, agent, None, filters)
        return list_page(request, context, f"/vues/{slug}", filters)

    @post("/vues/{slug:str}", sync_to_thread=True)
    def view_filter(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        slug: FromPath[str],
        data: Annotated[FiltersForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """The posted filters, back as the view's address with the words sealed."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        filters = filters_from(request, None, data.model_dump(), view=_view_or_404(slug))
        return Redirect(f"/vues/{slug}?{filters.query_string()}", status_code=303)

    @post("/vues/{slug:str}/prendre", sync_to_thread=True)
    def take_from_view(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        slug: FromPath[str],
        data: Annotated[TakeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Take the most urgent, then oldest, unassigned ticket of the view (as filtered)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        secret = request.app.state.settings.secret
        filters = parse_filters(secret, data.model_dump(), queue=None, view=_view_or_404(slug))
        return _take(request, db_session, agent, filters, f"/vues/{slug}")

    @post("/files/{code:str}/prendre", sync_to_thread=True)
    def take_from_queue(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        code: FromPath[str],
        data: Annotated[TakeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Take the most urgent, then oldest, unassigned ticket of the queue (as filtered)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        queue = next((q for q in visible_queues(db_session, agent) if q.code == code), None)
        if queue is None:
            raise NotFoundError("Cette file n'existe pas ou ne vous est pas accessible.")
        secret = request.app.state.settings.secret
        filters = parse_filters(secret, data.model_dump(), queue=queue)
        return _take(request, db_session, agent, filters, f"/files/{code}")

    @get("/tickets/{ticket_id:int}/suivant", sync_to_thread=True)
    def next_ticket(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Redirect:
        """The next ticket of the last list the agent opened."""
        return _step(request, db_session, agent, ticket_id, forward=True)

    @get("/tickets/{ticket_id:int}/precedent", sync_to_thread=True)
    def previous_ticket(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        ticket_id: FromPath[int],
    ) -> Redirect:
        """The previous ticket of the last list the agent opened."""
        return _step(request, db_session, agent, ticket_id, forward=False)


def _take(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    agent: CurrentAgent,
    filters: QueueFilters,
    back: str,
) -> Response[Any]:
    """Take the next ticket of a list; tell what happened either way."""
    try:
        ticket = take_next(db_session, agent=agent, filters=filters)
    except DomainError as error:
        db_session.rollback()
        return flash_redirect(f"{back}?{filters.query_string()}", error.message, kind="error")
    if ticket is None:
        back = f"{back}?{filters.query_string()}"
        return flash_redirect(back, "Aucun ticket non attribué : la liste est à jour.", kind="info")
    response = flash_redirect(f"/tickets/{ticket.id}", f"Vous avez pris {ticket.reference}.")
    response.set_cookie(list_cookie(request, back, filters.query_string()))
    return response


def _step(
    request: HTMXRequest,
    db_session: DbSession,
    agent: CurrentAgent,
    ticket_id: int,
    *,
    forward: bool,
) -> Redirect:
    """Go to the neighbour of a ticket in the remembered list, or back to the list at its end."""
    ticket = console_ticket(db_session, agent, ticket_id)
    remembered = recalled_list(request)
    filters = _remembered_filters(request, db_session, agent, remembered)
    if remembered is None or filters is None:
        return flash_redirect(f"/tickets/{ticket_id}", NO_LIST, kind="info")
    found = neighbour(db_session, agent=agent, filters=filters, ticket=ticket, forward=forward)
    if found is not None:
        return Redirect(f"/tickets/{found}", status_code=303)
    path, params = remembered
    end = "dernier" if forward else "premier"
    return flash_redirect(
        f"{path}?{urlencode(params)}", f"C'était le {end} ticket de la liste.", kind="info"
    )


def _remembered_filters(
    request: HTMXRequest,
    db_session: DbSession,
    agent: CurrentAgent,
    remembered: tuple[str, dict[str, str]] | None,
) -> QueueFilters | None:
    """The filters of the remembered list, if it still exists for the agent."""
    if remembered is None:
        return None
    path, params = remembered
    secret = request.app.state.settings.secret
    if path == "/recherche":
        return parse_filters(secret, params, queue=None)
    if path.startswith("/vues/") and path.removeprefix("/vues/") in VIEWS:
        return parse_filters(secret, params, queue=None, view=path.removeprefix("/vues/"))
    code = path.removeprefix("/files/")
    queue = next((q for q in visible_queues(db_session, agent) if q.code == code), None)
    if not path.startswith("/files/") or queue is None:
        return None
    return parse_filters(secret, params, queue=queue)
