"""Saved views: save a list's filters under a name, open, rename and delete them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.tickets.counts import forget_counts
from helpdesk.tickets.queue_views import list_context, list_path, parse_filters
from helpdesk.tickets.saved_views import (
    base_target,
    check_filters,
    delete_view,
    own_view,
    readable_view,
    rename_view,
    save_view,
)
from helpdesk.tickets.sealed_search import unseal
from helpdesk.tickets.view_routes import menu_context
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_of, flash_redirect
from helpdesk.web.forms import WebForm

SAVED = "/vues/enregistrees"


class SaveViewForm(WebForm):
    """The « Enregistrer cette vue » form: a name, the list and its filters (words sealed)."""

    name: str = ""
    share_with: str = ""
    base: str = ""
    status: str = "actifs"
    procedure: str = ""
    channel: str = ""
    priority: str = ""
    assigned: str = ""
    age_days: str = ""
    sla: str = ""
    sort: str = ""
    qs: str = ""


class RenameForm(WebForm):
    """A saved view's new name."""

    name: str = ""


class SavedViewController(Controller):
    """An agent's saved views (and those a supervisor shared with their queues)."""

    path = SAVED

    @post("/", sync_to_thread=True)
    def save(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[SaveViewForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Save the list's filters; refused, the list comes back with the error and the name."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        secret = request.app.state.settings.secret
        filters = data.model_dump(exclude={"name", "share_with", "base", "qs"})
        filters["q"] = unseal(secret, data.qs) or ""
        try:
            view = save_view(
                db_session,
                agent=agent,
                name=data.name,
                base=data.base,
                filters={k: v for k, v in filters.items() if v or k == "status"},
                share_with=data.share_with,
            )
        except ValidationFailedError as error:
            db_session.rollback()
            return _list_again(request, db_session, agent, data, error)
        forget_counts()
        shared = " et partagée avec la file" if view.shared_queue_id else ""
        return flash_redirect(f"{SAVED}/{view.id}", f"Vue « {view.name} » enregistrée{shared}.")

    @get("/{view_id:int}", sync_to_thread=True)
    def open_view(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        view_id: FromPath[int],
    ) -> Redirect:
        """The view's list with its filters (an obsolete filter dropped, and said)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        view = readable_view(db_session, agent, view_id)
        target = base_target(db_session, agent, view.base)
        if target is None:
            return flash_redirect(
                "/vues", f"La liste de la vue « {view.name} » n'existe plus.", kind="warning"
            )
        checked = check_filters(view.filters)
        secret = request.app.state.settings.secret
        filters = parse_filters(
            secret, checked.values, queue=target[0], view=target[1], sealed=False
        )
        url = f"{list_path(*target)}?{filters.query_string()}"
        if checked.dropped:
            names = ", ".join(checked.dropped)
            text = f"Vue « {view.name} » : filtre retiré car il n'existe plus ({names})."
            return flash_redirect(url, text, kind="warning")
        return Redirect(url, status_code=303)

    @post("/{view_id:int}/nom", sync_to_thread=True)
    def rename(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        view_id: FromPath[int],
        data: Annotated[RenameForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Rename one of the agent's views; refused, the views page shows the error beside it."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        try:
            view = rename_view(db_session, agent=agent, view_id=view_id, name=data.name)
        except ValidationFailedError as error:
            db_session.rollback()
            context = {"agent": agent, "nav": "views", **menu_context(db_session, agent)}
            context.update(rename_errors={view_id: error.field_errors.get("name", error.message)})
            context.update(rename_kept={view_id: data.name})
            return Template("tickets/views.html", context=context, status_code=error.status_code)
        return flash_redirect("/vues", f"Vue renommée « {view.name} ».")

    @get("/{view_id:int}/suppression", sync_to_thread=True)
    def confirm_delete(
        self, db_session: DbSession, agent: CurrentAgent, view_id: FromPath[int]
    ) -> Template:
        """Ask before deleting a view."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        view = own_view(db_session, agent, view_id)
        return Template(
            "tickets/view_delete.html", context={"agent": agent, "nav": "views", "view": view}
        )

    @post("/{view_id:int}/suppression", sync_to_thread=True)
    def delete(
        self, db_session: DbSession, agent: CurrentAgent, view_id: FromPath[int]
    ) -> Redirect:
        """Delete one of the agent's views, once confirmed."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        name = delete_view(db_session, agent=agent, view_id=view_id)
        forget_counts()
        return flash_redirect("/vues", f"Vue « {name} » supprimée.")


def _list_again(
    request: HTMXRequest,
    db_session: DbSession,
    agent: CurrentAgent,
    data: SaveViewForm,
    error: ValidationFailedError,
) -> Template:
    """The list the agent tried to save, again, with the error beside the name and the name kept."""
    target = base_target(db_session, agent, data.base) or (None, "")
    secret = request.app.state.settings.secret
    values = data.model_dump(exclude={"name", "share_with", "base"})
    filters = parse_filters(secret, values, queue=target[0], view=target[1])
    context = list_context(db_session, agent, target[0], filters)
    message = (
        error.field_errors.get("name") or error.field_errors.get("share_with") or error.message
    )
    context.update(
        save_errors={"name": message},
        save_name=data.name,
        flash=flash_of(message, kind="error"),
    )
    return Template("tickets/queue.html", context=context, status_code=error.status_code)
