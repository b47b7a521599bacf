"""The point bimensuel: the page, its CSV export and its printable version."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlmodel import Session

from dossiers.catalog import CATALOG
from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import Target
from helpdesk.auth.models import Agent
from helpdesk.db import attempt, utcnow
from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action, ensure, may_do, visible_queues
from helpdesk.review import service
from helpdesk.review.export import csv_text
from helpdesk.review.timeline import duration_text
from helpdesk.web.audit import record_beside
from helpdesk.web.dependencies import CurrentAgent, DbSession
from helpdesk.web.downloads import bytes_download
from helpdesk.web.forms import WebForm

PARIS = ZoneInfo("Europe/Paris")
PERIODS = {
    "tout": "Tous les tickets ouverts",
    "dernier-point": "Actifs depuis le dernier point",
    "date": "Actifs depuis une date",
}


class HoldForm(WebForm):
    """The note of a point bimensuel held."""

    note: str = ""


def _filters(
    session: Session, request: Request[Any, Any, Any]
) -> tuple[service.ReviewFilters, dict[str, str]]:
    """The filters of the URL and their raw values (unknown values are ignored)."""
    params = {
        name: request.query_params.get(name, "")[:40]
        for name in ("periode", "du", "file", "procedure")
    }
    since = None
    if params["periode"] == "dernier-point" and (last := service.last_review(session)) is not None:
        since = last.held_at
    elif params["periode"] == "date" and params["du"]:
        try:
            since = datetime.combine(
                datetime.strptime(params["du"], "%Y-%m-%d").date(), time(), PARIS
            )
        except ValueError:
            params["du"] = ""
    return service.ReviewFilters(
        since=since, queue=params["file"], procedure=params["procedure"]
    ), params


def _context(session: Session, agent: Agent, request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What the page and the printable version show."""
    ensure(session, agent, Action.ATTEND_REVIEW)
    filters, params = _filters(session, request)
    groups = service.review(session, agent=agent, filters=filters)
    return {
        "agent": agent,
        "nav": "review",
        "groups": groups,
        "total": sum(len(g.rows) for g in groups),
        "filters": filters,
        "params": params,
        "periods": PERIODS,
        "last": service.last_review(session),
        "queues": visible_queues(session, agent),
        "may_export": may_do(session, agent, Action.EXPORT),
        "may_hold": may_do(session, agent, Action.HOLD_REVIEW),
        "procedures": CATALOG,
        "duration": duration_text,
        "query": str(request.url.query or ""),
        "now": utcnow(),
    }


def _audit_target(context: dict[str, Any]) -> Target:
    """The audit trail's object of an export or print: the point's filters and its size."""
    filters = {name: value for name, value in context["params"].items() if value}
    detail = {"export": "point_bimensuel", "filters": filters, "tickets": context["total"]}
    return Target(object_kind="export", object_id="point-bimensuel", detail=detail)


class ReviewController(Controller):
    """The point bimensuel of DP ANEF, SDST and the CCC."""

    path = "/point-bimensuel"

    @get("/", sync_to_thread=True)
    def page(
        self, request: Request[Any, Any, Any], db_session: DbSession, agent: CurrentAgent
    ) -> Template:
        """The tickets still open between levels, grouped by queue and procedure."""
        return Template("review/page.html", context=_context(db_session, agent, request))

    @get("/imprimer", sync_to_thread=True)
    def printable(
        self, request: Request[Any, Any, Any], db_session: DbSession, agent: CurrentAgent
    ) -> Template:
        """The same tickets on a page made for printing."""
        context = _context(db_session, agent, request)
        record_beside(request, AuditKind.PRINTED, agent, _audit_target(context))
        return Template("review/print.html", context=context)

    @get("/export.csv", sync_to_thread=True)
    def export(
        self, request: Request[Any, Any, Any], db_session: DbSession, agent: CurrentAgent
    ) -> Response[bytes]:
        """The same tickets as a CSV file (UTF-8 with BOM, « ; », no formula can run)."""
        ensure(db_session, agent, Action.EXPORT)
        context = _context(db_session, agent, request)
        record_beside(request, AuditKind.EXPORTED, agent, _audit_target(context))
        stamp = utcnow().astimezone(PARIS).strftime("%Y-%m-%d")
        return bytes_download(
            csv_text(context["groups"]).encode("utf-8"),
            f"point-bimensuel-{stamp}.csv",
            "text/csv; charset=utf-8",
        )

    @post("/tenu", sync_to_thread=True)
    def hold(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        agent: CurrentAgent,
        data: Annotated[HoldForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect | Template:
        """Record that the point was held today: the next period starts now."""
        try:
            with attempt(db_session):
                service.hold_review(db_session, actor=agent, note=data.note)
        except ValidationFailedError as error:
            context = _context(db_session, agent, request)
            context.update(hold_refusal=error, note=data.note)
            return Template("review/page.html", context=context, status_code=422)
        return Redirect("/point-bimensuel/?periode=dernier-point", status_code=303)
