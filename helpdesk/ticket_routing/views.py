"""Administration of routing: rules and their dry run, SLA policies, calendars, assignment."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.policy import Action
from helpdesk.ticket_routing import admin_queries as queries
from helpdesk.ticket_routing import assignment, rules_store
from helpdesk.ticket_routing.models import RoutingRule
from helpdesk.ticket_routing.service import dry_run
from helpdesk.web.dependencies import DbSession, require_right
from helpdesk.web.forms import WebForm
from routing.rules_text import FIELD_HELP, format_actions, format_conditions

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class RuleForm(WebForm):
    """The rule editor."""

    name: str = ""
    conditions: str = ""
    actions: str = ""
    match: str = "all"
    stop: bool = False
    enabled: bool = False


class MoveForm(WebForm):
    """Up or down in the evaluation order."""

    direction: str = "up"


class ModeForm(WebForm):
    """A queue's assignment mode."""

    mode: str = "manual"


class RoutingAdminController(Controller):
    """Rules, dry run and queue assignment modes, for administrators."""

    path = "/admin/routage"
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def rules_page(self, db_session: DbSession, admin: NamedDependency[Agent]) -> Template:
        """The ordered rules, the dry run form and the queues' assignment modes."""
        context = queries.rules_context(db_session)
        return Template("routing/rules.html", context={**context, "agent": admin, "nav": "routing"})

    @get("/essai", sync_to_thread=True)
    def try_rules(
        self, request: HTMXRequest, db_session: DbSession, admin: NamedDependency[Agent]
    ) -> Template:
        """What would happen to ticket X, or to this text (htmx: the result only)."""
        params = {k: request.query_params.get(k, "")[:5000] for k in queries.DRY_RUN_FIELDS}
        try:
            result, error = dry_run(db_session, agent=admin, **params), None
        except (ValidationFailedError, NotFoundError) as refusal:
            result, error = None, refusal.message
        context = {"result": result, "error": error, "params": params, "agent": admin}
        if request.htmx:
            return Template("routing/_dry_run.html", context=context)
        page = queries.rules_context(db_session)
        return Template("routing/rules.html", context={**page, **context, "nav": "routing"})

    @get("/regles/nouvelle", sync_to_thread=True)
    def new_rule(self, admin: NamedDependency[Agent]) -> Template:
        """An empty rule editor."""
        form = RuleForm(enabled=True, stop=True)
        return _editor(admin, None, form)

    @get("/regles/{rule_id:int}", sync_to_thread=True)
    def edit_rule(
        self, db_session: DbSession, admin: NamedDependency[Agent], rule_id: FromPath[int]
    ) -> Template:
        """The editor of a rule."""
        row = db_session.get(RoutingRule, rule_id)
        if row is None:
            raise NotFoundError("Cette règle n'existe pas.")
        rule = rules_store.to_rule(row)
        form = RuleForm(
            name=row.name,
            conditions=format_conditions(rule.conditions),
            actions=format_actions(rule.actions),
            match="all" if row.match_all else "any",
            stop=row.stop,
            enabled=row.enabled,
        )
        return _editor(admin, row.id, form)

    @post("/regles", sync_to_thread=True)
    def create_rule(
        self, db_session: DbSession, admin: NamedDependency[Agent], data: Annotated[RuleForm, Form]
    ) -> Template | Redirect:
        """Add a rule at the end of the order."""
        return _save(db_session, admin, None, data)

    @post("/regles/{rule_id:int}", sync_to_thread=True)
    def update_rule(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        rule_id: FromPath[int],
        data: Annotated[RuleForm, Form],
    ) -> Template | Redirect:
        """Change a rule."""
        return _save(db_session, admin, rule_id, data)

    @post("/regles/{rule_id:int}/deplacer", sync_to_thread=True)
    def move_rule(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        rule_id: FromPath[int],
        data: Annotated[MoveForm, Form],
    ) -> Redirect:
        """Move a rule up or down."""
        direction = -1 if data.direction == "up" else 1
        rules_store.move_rule(db_session, rule_id=rule_id, direction=direction)
        return Redirect("/admin/routage/", status_code=303)

    @post("/files/{queue_id:int}/attribution", sync_to_thread=True)
    def set_mode(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        queue_id: FromPath[int],
        data: Annotated[ModeForm, Form],
    ) -> Redirect:
        """Change how a queue assigns its new tickets."""
        try:
            assignment.set_assignment_mode(db_session, queue_id=queue_id, mode=data.mode)
        except ValueError as error:
            raise ValidationFailedError("Choisissez un mode d'attribution de la liste.") from error
        return Redirect("/admin/routage/", status_code=303)


def _editor(
    admin: Agent,
    rule_id: int | None,
    form: RuleForm,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    """The rule editor page."""
    return Template(
        "routing/rule_edit.html",
        context={
            "agent": admin,
            "nav": "routing",
            "rule_id": rule_id,
            "form": form,
            "error": error,
            "field_help": FIELD_HELP,
        },
        status_code=status_code,
    )


def _save(
    db_session: Session, admin: Agent, rule_id: int | None, data: RuleForm
) -> Template | Redirect:
    """Save a rule; a mistake brings the editor back with the text kept."""
    try:
        with attempt(db_session):
            rules_store.save_rule(
                db_session,
                rule_id=rule_id,
                name=data.name,
                conditions=data.conditions,
                actions=data.actions,
                match_all=data.match != "any",
                stop=data.stop,
                enabled=data.enabled,
                actor=admin,
            )
    except ValidationFailedError as error:
        return _editor(admin, rule_id, data, error=error.message, status_code=422)
    return Redirect("/admin/routage/", status_code=303)
