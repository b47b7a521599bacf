"""« Mes notifications »: the list, read marks, e-mail preferences, and the header's bell."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from helpdesk.agent_notifications import service
from helpdesk.agent_notifications.kinds import EMAIL_MODE_LABELS, KIND_LABELS, kind_label
from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.flash import flash_of, flash_redirect
from helpdesk.web.forms import FormModel

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
MAX_PAGE = 100_000


class PreferencesForm(FormModel):
    """The e-mail choice (none, immediate or digest) and the kinds of notification it covers."""

    email_mode: str = ""
    email_kinds: list[str] = []


class NotificationController(Controller):
    """The agent's own notifications (nobody sees another's)."""

    path = "/notifications"

    @get("/", sync_to_thread=True)
    def list_page(
        self, db_session: DbSession, agent: CurrentAgent, page: FromQuery[str] = ""
    ) -> Template:
        """The notifications, newest first, unread ones highlighted, and the preferences."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        return Template(
            "agent_notifications/list.html", context=_context(db_session, agent, page=page)
        )

    @get("/cloche", sync_to_thread=True)
    def bell(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The header's bell with the unread count (htmx polls it)."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        unread = service.unread_count(db_session, agent)
        return Template("agent_notifications/_bell.html", context={"unread": unread})

    @post("/{notification_id:int}/ouvrir", sync_to_thread=True)
    def open(
        self, db_session: DbSession, agent: CurrentAgent, notification_id: FromPath[int]
    ) -> Redirect:
        """Mark the notification read and open its ticket."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        ticket_id = service.open_notification(db_session, agent, notification_id=notification_id)
        if ticket_id is None:
            raise NotFoundError("Cette notification n'existe pas ou ne vous est pas destinée.")
        return Redirect(f"/tickets/{ticket_id}", status_code=303)

    @post("/tout-lu", sync_to_thread=True)
    def mark_all(self, db_session: DbSession, agent: CurrentAgent) -> Redirect:
        """Mark every notification read."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        count = service.mark_all_read(db_session, agent)
        text = (
            f"{count} notification{'s' if count > 1 else ''} marquée{'s' if count > 1 else ''} "
            "comme lue" + ("s" if count > 1 else "")
            if count
            else "Aucune notification non lue : rien à marquer"
        )
        return flash_redirect("/notifications", text, kind="success" if count else "info")

    @post("/preferences", sync_to_thread=True)
    def preferences(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[PreferencesForm, Form],
    ) -> Template | Redirect:
        """Record how the agent wants e-mails; a bad choice comes back beside the field."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        try:
            with attempt(db_session):
                mode = service.set_email_mode(
                    db_session, agent, mode=data.email_mode, kinds=data.email_kinds
                )
        except ValidationFailedError as error:
            context = _context(db_session, agent, page="", form=data)
            context.update(errors=error.field_errors, flash=flash_of(str(error), kind="error"))
            return Template("agent_notifications/list.html", context=context, status_code=422)
        return flash_redirect(
            "/notifications", f"Préférences enregistrées : {EMAIL_MODE_LABELS[mode].lower()}"
        )


def _context(
    db_session: DbSession, agent: Agent, *, page: str, form: PreferencesForm | None = None
) -> dict[str, Any]:
    """What the page shows: one page of notifications and the preferences form."""
    wanted = int(page) if page.isdigit() and len(page) < 7 else 1
    rows, pages = service.page_of(db_session, agent, page=min(wanted, MAX_PAGE))
    current = min(max(wanted, 1), pages)
    mode = form.email_mode if form else service.email_mode(db_session, agent)
    kinds = form.email_kinds if form else service.emailed_kinds(db_session, agent)
    return {
        "agent": agent,
        "nav": "notifications",
        "rows": rows,
        "page": current,
        "pages": pages,
        "unread": service.unread_count(db_session, agent),
        "email_mode": mode,
        "email_modes": EMAIL_MODE_LABELS,
        "email_kinds": kinds,
        "kind_labels": KIND_LABELS,
        "kind_label": kind_label,
        "errors": {},
    }
