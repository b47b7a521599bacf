"""Administration of SLA policies and business calendars."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from pydantic import Field, field_validator

from helpdesk.auth.models import Agent
from helpdesk.policy import Action
from helpdesk.ticket_routing import admin_queries as queries
from helpdesk.ticket_routing import calendars
from helpdesk.ticket_routing.policies import update_policy
from helpdesk.web.dependencies import DbSession, require_right
from helpdesk.web.forms import WebForm

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class PolicyForm(WebForm):
    """One SLA policy."""

    response_minutes: int = Field(ge=1, le=100_000)
    resolution_minutes: int = Field(ge=1, le=100_000)
    warn_before_minutes: int = Field(ge=0, le=100_000)
    raise_priority: bool = False
    notify_supervisor: bool = False
    escalate_to: str = ""


class CalendarForm(WebForm):
    """A calendar's hours, zone and holiday areas."""

    name: str = ""
    timezone: str = "Europe/Paris"
    hours: str = ""
    areas: list[str] = Field(default_factory=list)
    site_holidays: bool = False

    @field_validator("areas", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        """A single checked box arrives as a string."""
        return [value] if isinstance(value, str) else value


class ClosedDayForm(WebForm):
    """An extra closed day."""

    day: date
    label: str = ""


class QueueCalendarForm(WebForm):
    """The calendar a queue works by."""

    calendar_id: int


class SlaAdminController(Controller):
    """SLA policies and calendars, for administrators."""

    path = "/admin/routage"
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/delais", sync_to_thread=True)
    def policies(self, db_session: DbSession, admin: NamedDependency[Agent]) -> Template:
        """Targets per queue and priority."""
        context = queries.policies_context(db_session)
        return Template(
            "routing/policies.html", context={**context, "agent": admin, "nav": "routing"}
        )

    @post("/delais/{policy_id:int}", sync_to_thread=True)
    def save_policy(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        policy_id: FromPath[int],
        data: Annotated[PolicyForm, Form],
    ) -> Redirect:
        """Change one policy."""
        update_policy(
            db_session,
            policy_id=policy_id,
            response_minutes=data.response_minutes,
            resolution_minutes=data.resolution_minutes,
            warn_before_minutes=data.warn_before_minutes,
            raise_priority=data.raise_priority,
            notify_supervisor=data.notify_supervisor,
            escalate_to_queue_id=int(data.escalate_to) if data.escalate_to.isdigit() else None,
        )
        return Redirect("/admin/routage/delais", status_code=303)

    @get("/calendriers", sync_to_thread=True)
    def calendars_page(self, db_session: DbSession, admin: NamedDependency[Agent]) -> Template:
        """Opening hours, holidays and closed days."""
        context = queries.calendars_context(db_session)
        return Template(
            "routing/calendars.html", context={**context, "agent": admin, "nav": "routing"}
        )

    @post("/calendriers/{calendar_id:int}", sync_to_thread=True)
    def save_calendar(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        calendar_id: FromPath[int],
        data: Annotated[CalendarForm, Form],
    ) -> Redirect:
        """Change a calendar."""
        calendars.update_calendar(
            db_session,
            calendar_id=calendar_id,
            name=data.name,
            timezone=data.timezone,
            hours=data.hours,
            areas=data.areas,
            site_holidays=data.site_holidays,
        )
        return Redirect("/admin/routage/calendriers", status_code=303)

    @post("/calendriers/{calendar_id:int}/fermetures", sync_to_thread=True)
    def add_closed_day(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        calendar_id: FromPath[int],
        data: Annotated[ClosedDayForm, Form],
    ) -> Redirect:
        """Close a calendar on an extra day."""
        calendars.add_closed_day(
            db_session, calendar_id=calendar_id, day=data.day, label=data.label
        )
        return Redirect("/admin/routage/calendriers", status_code=303)

    @post("/fermetures/{closed_day_id:int}/supprimer", sync_to_thread=True)
    def remove_closed_day(
        self, db_session: DbSession, admin: NamedDependency[Agent], closed_day_id: FromPath[int]
    ) -> Redirect:
        """Reopen a closed day."""
        calendars.remove_closed_day(db_session, closed_day_id=closed_day_id)
        return Redirect("/admin/routage/calendriers", status_code=303)

    @post("/files/{queue_id:int}/calendrier", sync_to_thread=True)
    def set_queue_calendar(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        queue_id: FromPath[int],
        data: Annotated[QueueCalendarForm, Form],
    ) -> Redirect:
        """Choose the calendar a queue works by."""
        calendars.set_queue_calendar(db_session, queue_id=queue_id, calendar_id=data.calendar_id)
        return Redirect("/admin/routage/calendriers", status_code=303)
