"""The reference dossier service's HTTP API (Litestar), documented at /api/v1/schema."""

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from litestar import Litestar, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, Field

from dossiers.catalog import is_foreign_number, normalise_dossier_number
from dossiers.model import Dossier, DossierList
from dossiers.reference.demo import seed
from dossiers.reference.events import EventSender, event_body
from dossiers.reference.lifecycle import InvalidMoveError, advance
from dossiers.reference.store import DossierStore

API = "/api/v1"
TOKEN_SCHEME = "jeton"  # noqa: S105 (the scheme's name, not a secret)
SECURED: list[dict[str, list[str]]] = [{TOKEN_SCHEME: []}]
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="dossiers"'}


@dataclass(frozen=True)
class ReferenceConfig:
    """Where the service keeps its database, the token its callers must send, and where it
    posts its signed events (with the API key the helpdesk gave it)."""

    database: Path
    webhook_url: str | None = None
    secret: str | None = None
    token: str | None = None  # unset: every API call is refused (the service fails closed)
    webhook_key: str | None = None
    retry_seconds: float = 15.0
    seed_demo: bool = True

    @classmethod
    def from_env(cls) -> ReferenceConfig:
        """Read DOSSIERS_REFERENCE_DB, _WEBHOOK_URL, _SECRET, _TOKEN and _WEBHOOK_KEY."""
        return cls(
            database=Path(os.environ.get("DOSSIERS_REFERENCE_DB", "var/dossiers-reference.db")),
            webhook_url=os.environ.get("DOSSIERS_REFERENCE_WEBHOOK_URL") or None,
            secret=os.environ.get("DOSSIERS_REFERENCE_SECRET") or None,
            token=os.environ.get("DOSSIERS_REFERENCE_TOKEN") or None,
            webhook_key=os.environ.get("DOSSIERS_REFERENCE_WEBHOOK_KEY") or None,
        )


class MoveRequest(BaseModel):
    """Which status to move to; empty: the usual next one."""

    to_status: str | None = Field(default=None, max_length=40)


class MoveResult(BaseModel):
    """The moved dossier and the event sent to the helpdesk."""

    dossier: Dossier
    event_id: str
    delivered: bool = Field(description="Whether the helpdesk acknowledged the event already.")


class ApiError(HTTPException):
    """A refusal answered as problem+json."""


def _problem(_request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Errors as application/problem+json."""
    return Response(
        {"type": "about:blank", "title": error.detail, "status": error.status_code},
        status_code=error.status_code,
        media_type="application/problem+json",
        headers=error.headers,
    )


def require_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Let through only callers sending the configured token as `Authorization: Bearer`."""
    expected: str | None = connection.app.state.token
    scheme, _sep, given = connection.headers.get("authorization", "").partition(" ")
    if not expected:
        raise ApiError(status_code=401, detail="Jeton du service non configuré", headers=CHALLENGE)
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise ApiError(status_code=401, detail="Jeton absent ou invalide", headers=CHALLENGE)


def _store(state: State) -> DossierStore:
    """The service's store."""
    store: DossierStore = state.store
    return store


def _dossier(state: State, number: str) -> Dossier:
    """The dossier with this number, or a 404."""
    normal = normalise_dossier_number(number)
    dossier = _store(state).get(normal) if normal else None
    if dossier is None:
        raise ApiError(status_code=404, detail="Dossier inconnu")
    return dossier


@get(
    f"{API}/dossiers/{{number:str}}",
    sync_to_thread=True,
    summary="Lire un dossier",
    guards=[require_token],
    security=SECURED,
)
def read_dossier(state: State, number: FromPath[str]) -> Dossier:
    """A dossier by its number (19 digits for séjour, NA-2025-004217 for naturalisation)."""
    return _dossier(state, number)


@get(
    f"{API}/dossiers",
    sync_to_thread=True,
    summary="Dossiers d'un numéro étranger",
    guards=[require_token],
    security=SECURED,
)
def list_dossiers(
    state: State,
    numero_etranger: Annotated[str, QueryParameter(description="Numéro étranger (10 chiffres).")],
) -> DossierList:
    """The dossiers of a numéro étranger."""
    if not is_foreign_number(numero_etranger):
        raise ApiError(status_code=400, detail="Le numéro étranger comporte 10 chiffres")
    return DossierList(items=_store(state).by_foreign_number(numero_etranger.strip()))


@post(
    f"{API}/dossiers/{{number:str}}/advance",
    sync_to_thread=True,
    status_code=200,
    summary="Faire passer un dossier au statut suivant (démonstrations et tests)",
    guards=[require_token],
    security=SECURED,
)
def advance_dossier(
    state: State, number: FromPath[str], data: JSONBody[MoveRequest | None] = None
) -> MoveResult:
    """Move the dossier along its state machine and post the signed event to the helpdesk."""
    before = _dossier(state, number)
    now = datetime.now(UTC)
    try:
        after = advance(before, to_status=(data.to_status if data else None), at=now)
    except InvalidMoveError as error:
        raise ApiError(status_code=409, detail=str(error)) from error
    event_id, body = event_body(before, after, at=now)
    _store(state).save(after, event=(event_id, body))
    sender: EventSender = state.sender
    return MoveResult(dossier=after, event_id=event_id, delivered=sender.deliver(event_id, body))


@get("/healthz", sync_to_thread=False, include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


def create_reference_app(config: ReferenceConfig | None = None) -> Litestar:
    """The reference dossier service on its own database."""
    config = config or ReferenceConfig.from_env()
    store = DossierStore(config.database)
    sender = EventSender(
        store, webhook_url=config.webhook_url, secret=config.secret, api_key=config.webhook_key
    )
    stop = threading.Event()

    def start() -> None:
        if config.seed_demo:
            seed(store)
        threading.Thread(
            target=sender.run_forever,
            args=(stop,),
            kwargs={"interval": config.retry_seconds},
            daemon=True,
        ).start()

    return Litestar(
        route_handlers=[read_dossier, list_dossiers, advance_dossier, healthz],
        state=State({"store": store, "sender": sender, "token": config.token}),
        on_startup=[start],
        on_shutdown=[stop.set],
        exception_handlers={HTTPException: _problem},
        # The process's logging stays as its host set it (Litestar's default would replace
        # the root logger's handlers, the helpdesk's included when both run in one process).
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="API des dossiers ANEF (service de référence)",
            version="1.0.0",
            path=f"{API}/schema",
            # JSON and YAML only: the HTML viewers would load their scripts from a CDN.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
            description=(
                "Lecture des dossiers des téléprocédures, avec le jeton du service "
                "(« Authorization: Bearer <jeton> ») ; les changements de statut sont "
                "envoyés au webhook de l'assistance avec la clé d'API que l'assistance a "
                "donnée au service, signés HMAC-SHA256 (en-têtes "
                "X-Dossier-Timestamp et X-Dossier-Signature : sha256=hex(HMAC(secret, "
                "horodatage + '.' + corps)))."
            ),
            components=Components(
                security_schemes={
                    TOKEN_SCHEME: SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="Le jeton partagé avec l'assistance "
                        "(DOSSIERS_REFERENCE_TOKEN ici, HELPDESK_DOSSIERS_TOKEN chez elle).",
                    )
                }
            ),
        ),
        debug=False,
    )
