"""Administration of machine clients: list, declare, rotate a key, revoke (administrators)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from helpdesk.api_clients import service
from helpdesk.api_clients.models import ApiClient
from helpdesk.api_clients.scopes import SCOPES
from helpdesk.audit.service import Actor
from helpdesk.auth.models import Agent
from helpdesk.config import Settings
from helpdesk.db import attempt, utcnow
from helpdesk.errors import InvalidTransitionError, ValidationFailedError
from helpdesk.policy import Action
from helpdesk.web.dependencies import DbSession, require_right
from helpdesk.web.forms import FormModel

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PAGE_PATH = "/admin/clients-api"
NAV = "api_clients"
MAX_DAYS_DIGITS = 3


class ClientForm(FormModel):
    """A new client: its name and the scopes it is given."""

    name: str = ""
    scopes: list[str] = []


class RotateForm(FormModel):
    """A key rotation: how many days the previous keys keep working."""

    overlap_days: str = ""


class RevokeForm(FormModel):
    """The confirmation of a revocation (the CSRF token is its only content)."""


def actor_of(request: Request[Any, Any, Any], agent: Agent) -> Actor:
    """The administrator acting, as the audit trail names them."""
    address = request.client.host if request.client else ""
    return Actor(id=agent.id, label=agent.full_name, address=address)


def _list_page(session: Session, admin: Agent, *, flash: dict[str, str] | None = None) -> Template:
    """The clients and their keys."""
    context = {
        "agent": admin,
        "nav": NAV,
        "clients": service.list_clients(session),
        "scopes": SCOPES,
        "now": utcnow(),
        "flash": flash,
    }
    return Template("admin/api_clients.html", context=context)


def _form_page(admin: Agent, form: ClientForm, errors: dict[str, str], status: int) -> Template:
    """The form declaring a client, with what was typed and each field's error."""
    flash = {"kind": "error", "text": service.MSG_NOT_CREATED} if errors else None
    context = {
        "agent": admin,
        "nav": NAV,
        "form": form,
        "errors": errors,
        "scopes": SCOPES,
        "flash": flash,
    }
    return Template("admin/api_client_form.html", context=context, status_code=status)


def _key_page(admin: Agent, *, client: Any, key: str, flash: str, until: Any = None) -> Template:
    """The page showing a new key, once."""
    context = {
        "agent": admin,
        "nav": NAV,
        "client": client,
        "key": key,
        "until": until,
        "scopes": SCOPES,
        "flash": {"kind": "success", "text": flash},
    }
    return Template("admin/api_client_key.html", context=context)


def _rotate_page(
    session: Session,
    admin: Agent,
    client_id: int,
    *,
    typed: str,
    error: str | None = None,
    refusal: str | None = None,
) -> Template:
    """The form renewing a client's key, with the overlap typed and its error."""
    view = service.get_client(session, client_id)
    flash = {"kind": "error", "text": refusal} if refusal else None
    context = {
        "agent": admin,
        "nav": NAV,
        "view": view,
        "now": utcnow(),
        "typed": typed,
        "error": error,
        "flash": flash,
        "max_days": service.MAX_OVERLAP_DAYS,
    }
    status = 200 if flash is None else 422
    return Template("admin/api_client_rotate.html", context=context, status_code=status)


def parse_days(text: str) -> int | None:
    """A number of days typed in a form, or None when the text is not one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DAYS_DIGITS:
        return None
    return int(text)


class ApiClientAdminController(Controller):
    """The administration page of API clients (administrators only)."""

    path = PAGE_PATH
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def index(
        self, request: Request[Any, Any, Any], db_session: DbSession, admin: NamedDependency[Agent]
    ) -> Template:
        """Every client, its scopes and its keys (prefixes only), with what just happened."""
        return _list_page(db_session, admin, flash=_notice(db_session, request))

    @get("/nouveau", sync_to_thread=True)
    def new(self, admin: NamedDependency[Agent]) -> Template:
        """The empty form declaring a client."""
        return _form_page(admin, ClientForm(), {}, 200)

    @post("/", sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        data: Annotated[ClientForm, FORM],
    ) -> Template:
        """Declare the client and show its key once; refused input shows the form again."""
        try:
            with attempt(db_session):
                client, key = service.create_client(
                    db_session, name=data.name, scopes=data.scopes, actor=actor_of(request, admin)
                )
        except ValidationFailedError as error:
            return _form_page(admin, data, error.field_errors, 422)
        text = f"Client d'API « {client.name} » créé. Copiez sa clé ci-dessous : elle ne sera "
        return _key_page(admin, client=client, key=key, flash=text + "plus jamais affichée.")

    @get("/{client_id:int}/renouveler", sync_to_thread=True)
    def rotate_form(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        settings: NamedDependency[Settings],
        client_id: FromPath[int],
    ) -> Template:
        """The form renewing a client's key, with the default overlap."""
        typed = str(settings.api_key_overlap_days)
        return _rotate_page(db_session, admin, client_id, typed=typed)

    @post("/{client_id:int}/renouveler", sync_to_thread=True)
    def rotate(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        client_id: FromPath[int],
        data: Annotated[RotateForm, FORM],
    ) -> Template:
        """Give the client a new key (shown once); its previous keys work for the overlap."""
        days = parse_days(data.overlap_days)
        typed = data.overlap_days[:20]
        if days is None:
            error = f"Indiquez un nombre entier de jours, de 0 à {service.MAX_OVERLAP_DAYS}."
            return _rotate_page(
                db_session,
                admin,
                client_id,
                typed=typed,
                error=error,
                refusal="La clé n'a pas été renouvelée : corrigez la durée.",
            )
        try:
            with attempt(db_session):
                client, key, until = service.rotate_client(
                    db_session,
                    client_id=client_id,
                    overlap=timedelta(days=days),
                    actor=actor_of(request, admin),
                )
        except ValidationFailedError as error:
            return _rotate_page(
                db_session,
                admin,
                client_id,
                typed=typed,
                error=error.field_errors.get("overlap_days"),
                refusal="La clé n'a pas été renouvelée : corrigez la durée.",
            )
        except InvalidTransitionError as error:
            return _rotate_page(db_session, admin, client_id, typed=typed, refusal=error.message)
        text = f"Nouvelle clé du client d'API « {client.name} ». Copiez-la ci-dessous : elle ne "
        return _key_page(
            admin, client=client, key=key, until=until, flash=text + "sera plus jamais affichée."
        )

    @get("/{client_id:int}/revoquer", sync_to_thread=True)
    def revoke_form(
        self, db_session: DbSession, admin: NamedDependency[Agent], client_id: FromPath[int]
    ) -> Template:
        """The confirmation page of a revocation."""
        view = service.get_client(db_session, client_id)
        context = {"agent": admin, "nav": NAV, "view": view, "flash": None}
        return Template("admin/api_client_revoke.html", context=context)

    @post("/{client_id:int}/revoquer", sync_to_thread=True)
    def revoke(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        admin: NamedDependency[Agent],
        client_id: FromPath[int],
        data: Annotated[RevokeForm, FORM],
    ) -> Template | Redirect:
        """Revoke the client: every one of its keys is refused from now on."""
        try:
            with attempt(db_session):
                service.revoke_client(
                    db_session, client_id=client_id, actor=actor_of(request, admin)
                )
        except InvalidTransitionError as error:
            flash = {"kind": "info", "text": error.message}
            return _list_page(db_session, admin, flash=flash)
        return Redirect(f"{PAGE_PATH}?revoque={client_id}", status_code=303)


def _notice(session: Session, request: Request[Any, Any, Any]) -> dict[str, str] | None:
    """What a revocation did, said after its redirect."""
    text = request.query_params.get("revoque", "")
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    client = session.get(ApiClient, int(text))
    if client is None or client.revoked_at is None:
        return None
    return {
        "kind": "success",
        "text": f"Client d'API « {client.name} » révoqué : ses clés sont refusées dès maintenant.",
    }
