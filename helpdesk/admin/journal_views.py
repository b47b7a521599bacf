"""The audit journal for administrators: filters in the URL, pages, and its CSV export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from sqlmodel import Session

from helpdesk.audit import queries
from helpdesk.audit.filters import FIELDS, ParsedJournalFilters, parse_journal_filters
from helpdesk.audit.kinds import AUDIT_LABELS, AuditKind
from helpdesk.audit.service import Target
from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.policy import Action
from helpdesk.web.audit import record_beside
from helpdesk.web.dependencies import DbSession, require_right
from helpdesk.web.downloads import bytes_download
from helpdesk.web.templating import PARIS

NO_SUCH_REFERENCE = (
    "Aucun ticket ne porte cette référence (il a peut-être été supprimé) : saisissez son "
    "numéro si vous le connaissez. Ce filtre n'est pas appliqué."
)


def _parsed(session: Session, request: Request[Any, Any, Any]) -> ParsedJournalFilters:
    """The journal's filters from the URL, a typed reference resolved to its ticket."""
    params: Mapping[str, str] = {name: request.query_params.get(name, "") for name in FIELDS}
    parsed = parse_journal_filters(params)
    filters = parsed.filters
    if filters.reference:
        ticket_id = queries.ticket_by_reference(session, filters.reference)
        if ticket_id is None:
            parsed.errors["ticket"] = NO_SUCH_REFERENCE
            filters = replace(filters, reference="")
        else:
            filters = replace(filters, ticket_id=ticket_id)
    return ParsedJournalFilters(filters=filters, typed=parsed.typed, errors=parsed.errors)


class AuditJournalController(Controller):
    """GET /admin/journal and its export, for administrators only."""

    path = "/admin/journal"
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def page(
        self, request: Request[Any, Any, Any], db_session: DbSession, admin: NamedDependency[Agent]
    ) -> Template:
        """The audit rows matching the filters, newest first, a page at a time."""
        parsed = _parsed(db_session, request)
        context = {
            "agent": admin,
            "nav": "journal",
            "page": queries.journal_page(db_session, filters=parsed.filters),
            "typed": parsed.typed,
            "errors": parsed.errors,
            "kinds": AUDIT_LABELS,
            "people": queries.people(db_session),
            "export_cap": queries.EXPORT_CAP,
            "count_cap": queries.COUNT_CAP,
        }
        return Template("admin/journal.html", context=context)

    @get("/export.csv", sync_to_thread=True)
    def export(
        self, request: Request[Any, Any, Any], db_session: DbSession, admin: NamedDependency[Agent]
    ) -> Response[bytes]:
        """The same selection as a CSV file (the newest rows, up to the cap); audited."""
        filters = _parsed(db_session, request).filters
        rows = queries.export_rows(db_session, filters=filters)
        detail = {"export": "journal", "filters": filters.described(), "rows": len(rows)}
        target = Target(object_kind="export", object_id="journal", detail=detail)
        record_beside(request, AuditKind.EXPORTED, admin, target)
        stamp = utcnow().astimezone(PARIS).strftime("%Y-%m-%d")
        return bytes_download(
            queries.csv_bytes(rows), f"journal-audit-{stamp}.csv", "text/csv; charset=utf-8"
        )
