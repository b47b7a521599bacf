"""Administration of agent accounts: list, create, change role and memberships, disable."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from helpdesk.audit.service import Actor
from helpdesk.auth import accounts
from helpdesk.auth.models import ROLE_LABELS, Agent, Organisation, Role
from helpdesk.db import attempt
from helpdesk.errors import ValidationFailedError
from helpdesk.policy import Action
from helpdesk.tickets.models import Queue
from helpdesk.web.audit import request_actor
from helpdesk.web.dependencies import DbSession, require_right
from helpdesk.web.forms import FormModel

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PATH = "/admin/comptes"
STATES = {"": "Tous", "actifs": "Actifs", "desactives": "Désactivés"}
DONE = {  # the query flag after a change, and what the page says
    "modifie": (
        "success",
        "Le compte a été modifié : le journal d'audit garde l'avant et l'après.",
    ),
    "inchange": ("info", "Rien n'a changé : le compte était déjà ainsi."),
    "desactive": (
        "success",
        "Le compte est désactivé : ses sessions ouvertes sont fermées et il ne peut plus se "
        "connecter.",
    ),
    "reactive": ("success", "Le compte est réactivé : l'agent peut de nouveau se connecter."),
}


class AccountForm(FormModel):
    """The account form: identity (at creation only) and placement."""

    email: str = ""
    nom: str = ""
    role: str = ""
    organisation: str = ""
    site: str = ""
    files: list[str] = []

    def placement(self) -> accounts.Placement:
        """Role, organisation, site and queues as typed."""
        return accounts.Placement(
            role=self.role.strip(),
            organisation=self.organisation.strip(),
            site=self.site.strip() or None,
            queues=tuple(dict.fromkeys(code.strip() for code in self.files if code.strip())),
        )


def _choices(session: Session) -> dict[str, Any]:
    """The lists the forms and filters choose from."""
    organisations = list(session.exec(select(Organisation).order_by(col(Organisation.name))))
    return {
        "roles": ROLE_LABELS,
        "organisations": organisations,
        "sites": [o for o in organisations if o.kind in accounts.SITE_KINDS],
        "queues": list(session.exec(select(Queue).order_by(col(Queue.level), col(Queue.name)))),
        "nav": "accounts",
    }


def _list_filters(
    request: Request[Any, Any, Any], session: Session
) -> tuple[dict[str, str], dict[str, str]]:
    """The list's filters from the URL, and an error beside each value not understood."""
    typed = {
        name: request.query_params.get(name, "").strip()[:100]
        for name in ("organisation", "role", "etat")
    }
    errors = {}
    codes = set(session.exec(select(Organisation.code)).all())
    if typed["organisation"] and typed["organisation"] not in codes:
        errors["organisation"] = "Organisation inconnue : ce filtre n'est pas appliqué."
    if typed["role"] and typed["role"] not in {r.value for r in Role}:
        errors["role"] = "Rôle inconnu : ce filtre n'est pas appliqué."
    if typed["etat"] not in STATES:
        errors["etat"] = "État inconnu : ce filtre n'est pas appliqué."
    return typed, errors


def _account_page(
    session: Session,
    admin: Agent,
    agent: Agent,
    *,
    form: AccountForm | None = None,
    errors: dict[str, str] | None = None,
    flash: dict[str, str] | None = None,
    password: str | None = None,
    status_code: int = 200,
) -> Template:
    """One account: its placement form, its state, and the way to its audit trail."""
    placement = accounts.placement_of(session, agent)
    shown = form or AccountForm(
        role=placement.role,
        organisation=placement.organisation,
        site=placement.site or "",
        files=list(placement.queues),
    )
    context = {
        **_choices(session),
        "agent": admin,
        "account": agent,
        "form": shown,
        "errors": errors or {},
        "flash": flash,
        "password": password,
        "is_self": admin.id == agent.id,
    }
    return Template("admin/account.html", context=context, status_code=status_code)


class AccountAdminController(Controller):
    """The agent accounts, for administrators only."""

    path = PATH
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def list_page(
        self, request: Request[Any, Any, Any], db_session: DbSession, admin: NamedDependency[Agent]
    ) -> Template:
        """The accounts, filtered by organisation, role and state."""
        typed, errors = _list_filters(request, db_session)
        state = "" if "etat" in errors else typed["etat"]
        rows = accounts.list_accounts(
            db_session,
            organisation="" if "organisation" in errors else typed["organisation"],
            role="" if "role" in errors else typed["role"],
            active=None if not state else state == "actifs",
        )
        context = {
            **_choices(db_session),
            "agent": admin,
            "rows": rows,
            "typed": typed,
            "errors": errors,
            "states": STATES,
            "limit": accounts.LIST_LIMIT,
        }
        return Template("admin/accounts.html", context=context)

    @get("/nouveau", sync_to_thread=True)
    def new_page(self, db_session: DbSession, admin: NamedDependency[Agent]) -> Template:
        """The form of a new account."""
        context = {**_choices(db_session), "agent": admin, "form": AccountForm(), "errors": {}}
        return Template("admin/account_new.html", context=context)

    @post("/", sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        data: Annotated[AccountForm, FORM],
    ) -> Template:
        """Create the account; its temporary password is shown once, on this answer only."""
        new = accounts.NewAccount(email=data.email, full_name=data.nom, placement=data.placement())
        try:
            with attempt(db_session):
                created, password = accounts.create_account(
                    db_session, actor=request_actor(request, admin), new=new
                )
        except ValidationFailedError as error:
            context = {
                **_choices(db_session),
                "agent": admin,
                "form": data,
                "errors": error.field_errors or {"email": error.message},
            }
            return Template("admin/account_new.html", context=context, status_code=422)
        flash = {"kind": "success", "text": f"Le compte de {created.full_name} est créé."}
        return _account_page(db_session, admin, created, flash=flash, password=password)

    @get("/{agent_id:int}", sync_to_thread=True)
    def account_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        agent_id: FromPath[int],
    ) -> Template:
        """One account, with what the last change did."""
        agent = accounts.account(db_session, agent_id)
        done = DONE.get(request.query_params.get("fait", ""))
        flash = {"kind": done[0], "text": done[1]} if done else None
        return _account_page(db_session, admin, agent, flash=flash)

    @post("/{agent_id:int}", sync_to_thread=True)
    def change(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        agent_id: FromPath[int],
        data: Annotated[AccountForm, FORM],
    ) -> Template | Redirect:
        """Change the role, organisation, site and queues (each change audited)."""
        agent = accounts.account(db_session, agent_id)
        actor = request_actor(request, admin)
        try:
            with attempt(db_session):
                changed = accounts.change_placement(
                    db_session, actor=actor, agent_id=agent_id, placement=data.placement()
                )
        except ValidationFailedError as error:
            return _refused(db_session, admin, agent, data, error)
        return _done(agent_id, "modifie" if changed else "inchange")

    @post("/{agent_id:int}/desactiver", sync_to_thread=True)
    def disable(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        agent_id: FromPath[int],
    ) -> Template | Redirect:
        """Disable the account and end its sessions."""
        return _toggle(db_session, admin, request_actor(request, admin), agent_id, enable=False)

    @post("/{agent_id:int}/reactiver", sync_to_thread=True)
    def enable(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        agent_id: FromPath[int],
    ) -> Template | Redirect:
        """Let the account sign in again."""
        return _toggle(db_session, admin, request_actor(request, admin), agent_id, enable=True)


def _toggle(
    session: Session, admin: Agent, actor: Actor, agent_id: int, *, enable: bool
) -> Template | Redirect:
    """Disable or re-enable an account; a refusal shows the account page with the reason."""
    agent = accounts.account(session, agent_id)
    try:
        with attempt(session):
            if enable:
                accounts.enable_account(session, actor=actor, agent_id=agent_id)
            else:
                accounts.disable_account(session, actor=actor, agent_id=agent_id)
    except ValidationFailedError as error:
        flash = {"kind": "error", "text": error.message}
        return _account_page(session, admin, agent, flash=flash, status_code=422)
    return _done(agent_id, "reactive" if enable else "desactive")


def _refused(
    session: Session, admin: Agent, agent: Agent, form: AccountForm, error: ValidationFailedError
) -> Template:
    """The account page again with the typed values and the reasons beside the fields."""
    flash = {"kind": "error", "text": "Rien n'a été modifié : corrigez les champs signalés."}
    errors = error.field_errors or {"role": error.message}
    return _account_page(
        session, admin, agent, form=form, errors=errors, flash=flash, status_code=422
    )


def _done(agent_id: int, what: str) -> Redirect:
    """Back to the account page, saying what was done."""
    return Redirect(f"{PATH}/{agent_id}?fait={what}", status_code=303)
