"""Informations: release notes and incident notices, the banner, read receipts."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from pydantic import Field, ValidationError, field_validator
from sqlmodel import select

from dossiers.catalog import CATALOG
from helpdesk.db import attempt
from helpdesk.incidents import notices
from helpdesk.incidents.models import Incident
from helpdesk.incidents.schemas import ReleaseForm
from helpdesk.incidents.views import FORM, safe_back, sites
from helpdesk.policy import Action, ensure, may_do
from helpdesk.referents.schemas import field_errors
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.forms import WebForm, as_list


class RawRelease(WebForm):
    """The release-note form as sent."""

    title: str = ""
    released_on: str = ""
    procedures: list[str] = Field(default_factory=list)
    all_sites: str = ""
    sites: list[str] = Field(default_factory=list)
    changes: str = ""
    known_issues: str = ""

    @field_validator("procedures", "sites", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return as_list(value)

    def checked(self) -> ReleaseForm:
        """The validated form; raises ValidationError."""
        values = self.model_dump(exclude={"all_sites"})
        return ReleaseForm.model_validate(
            {**values, "all_sites": bool(self.all_sites) or not self.sites}
        )


class BackForm(WebForm):
    """Where to go after marking a notice read."""

    back: str = ""


def _labels() -> dict[str, Any]:
    """Labels the notice templates share."""
    labels = {p.code: p.label for p in CATALOG}
    return {
        "kind_label": notices.kind_label,
        "procedures": CATALOG,
        "procedure_names": lambda codes: ", ".join(labels.get(code, code) for code in codes),
    }


class NoticeController(Controller):
    """Release notes and incident notices for référents, the CCC console and DP ANEF."""

    path = "/informations"

    @get("/", sync_to_thread=True)
    def index(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """Every notice the agent may see, newest first, with its read state."""
        context = {
            "agent": agent,
            "nav": "notices",
            "notices": notices.notices_for(db_session, agent=agent),
            "read_ids": notices.read_ids(db_session, agent=agent),
            "may_publish": may_do(db_session, agent, Action.PUBLISH_NOTICE),
            "incidents": {i.id: i for i in db_session.exec(select(Incident))},
            **_labels(),
        }
        return Template("incidents/notices.html", context=context)

    @get("/bandeau", sync_to_thread=True)
    def banner(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The banner fragment of every agent page: ongoing incidents (warning style), recent
        releases (info style)."""
        groups = notices.banner_groups(notices.banner(db_session, agent=agent))
        return Template(
            "incidents/_banner.html", context={"banner": groups, "agent": agent, **_labels()}
        )

    @get("/nouvelle", sync_to_thread=True)
    def new_release(self, db_session: DbSession, agent: CurrentAgent) -> Template:
        """The release-note form."""
        ensure(db_session, agent, Action.PUBLISH_NOTICE)
        return self._form(db_session, agent, {"all_sites": True}, {}, 200)

    @post("/", sync_to_thread=True)
    def publish(
        self, db_session: DbSession, agent: CurrentAgent, data: Annotated[RawRelease, FORM]
    ) -> Template | Redirect:
        """Publish a release note and e-mail it to the référents concerned."""
        ensure(db_session, agent, Action.PUBLISH_NOTICE)
        try:
            form = data.checked()
            with attempt(db_session):
                notice = notices.publish_release(db_session, form=form, actor=agent)
        except ValidationError as error:
            return self._form(db_session, agent, data.model_dump(), field_errors(error), 422)
        return Redirect(f"/informations/{notice.id}", status_code=303)

    @get("/{notice_id:int}", sync_to_thread=True)
    def detail(
        self, db_session: DbSession, agent: CurrentAgent, notice_id: FromPath[int]
    ) -> Template:
        """One notice, with « Marquer comme lu » for référents."""
        notice = notices.get_notice(db_session, agent=agent, notice_id=notice_id)
        incident = db_session.get(Incident, notice.incident_id) if notice.incident_id else None
        context = {
            "agent": agent,
            "nav": "notices",
            "notice": notice,
            "incident": incident,
            "read": notice.id in notices.read_ids(db_session, agent=agent),
            "may_publish": may_do(db_session, agent, Action.PUBLISH_NOTICE),
            **_labels(),
        }
        return Template("incidents/notice.html", context=context)

    @post("/{notice_id:int}/lu", sync_to_thread=True)
    def mark_read(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        agent: CurrentAgent,
        notice_id: FromPath[int],
        data: Annotated[BackForm, FORM],
    ) -> Redirect | Template:
        """Mark the notice read (référents); htmx gets the updated button."""
        notices.mark_read(db_session, notice_id=notice_id, agent=agent)
        if request.htmx:
            return Template("incidents/_read_done.html", context={})
        return Redirect(safe_back(data.back, f"/informations/{notice_id}"), status_code=303)

    @get("/{notice_id:int}/lectures", sync_to_thread=True)
    def readers(
        self, db_session: DbSession, agent: CurrentAgent, notice_id: FromPath[int]
    ) -> Template:
        """Who among the référents concerned has read the notice (DP ANEF)."""
        ensure(db_session, agent, Action.PUBLISH_NOTICE)
        notice = notices.get_notice(db_session, agent=agent, notice_id=notice_id)
        rows = notices.readers(db_session, notice_id=notice_id)
        context = {"agent": agent, "nav": "notices", "notice": notice, "readers": rows, **_labels()}
        return Template("incidents/readers.html", context=context)

    def _form(
        self, session: Any, agent: Any, values: dict[str, Any], errors: dict[str, str], status: int
    ) -> Template:
        """The release-note form page."""
        context = {
            "agent": agent,
            "nav": "notices",
            "values": values,
            "errors": errors,
            "sites": sites(session),
            **_labels(),
        }
        return Template("incidents/release_form.html", context=context, status_code=status)
