"""POST /console/panneaux: the ticket page's side panels an agent opened or closed."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from helpdesk.auth import preferences
from helpdesk.db import attempt
from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action, ensure
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm


class PanelForm(WebForm):
    """A side panel and whether it is now open ("1") or closed ("0")."""

    panel: str = ""
    open: str = "1"


class PanelController(Controller):
    """Remember the side panels per agent (panels.js posts on each toggle)."""

    @post("/console/panneaux", sync_to_thread=True)
    def remember(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[PanelForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[str]:
        """Store the panel's state; 204 when done, 422 for an unknown panel."""
        ensure(db_session, agent, Action.USE_CONSOLE)
        try:
            with attempt(db_session):
                preferences.remember_panel(
                    db_session, agent=agent, panel=data.panel, is_open=data.open != "0"
                )
        except ValidationFailedError as error:
            return Response(error.message, status_code=422, media_type="text/plain")
        return Response("", status_code=204)
