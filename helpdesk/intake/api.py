"""The partner API: POST /api/v1/contact, in JSON or multipart (with attachments)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.openapi.spec import Reference as SchemaRef

from helpdesk.api_clients.authentication import require_scope
from helpdesk.api_clients.openapi import refusals, requires
from helpdesk.api_clients.scopes import CONTACT_WRITE, Caller
from helpdesk.dossier_links.public import procedure_from_dossier
from helpdesk.errors import TooManyAttemptsError, ValidationFailedError
from helpdesk.i18n import language, t
from helpdesk.intake import service
from helpdesk.intake.forms import MAX_CONTACT_BODY, AppSettings, client_address, limiter, read_files
from helpdesk.intake.schemas import FIELDS, ContactReceipt, check_contact, is_acknowledged
from helpdesk.intake.uploads import MAX_FILES
from helpdesk.tickets.models import Channel
from helpdesk.web.dependencies import DbSession

MSG_INVALID = "Certains champs sont à corriger : voir la liste des erreurs."
MSG_BODY = "Le corps de la requête doit être un objet JSON ou un formulaire multipart."
MSG_LIMIT = "Trop d'envois depuis ce client. Réessayez dans quelques minutes."


def contact_schema(*, multipart: bool) -> Schema:
    """The body of POST /api/v1/contact, from the form's field list."""
    properties: dict[str, Schema | SchemaRef] = {
        spec.name: Schema(
            type=OpenAPIType.STRING, max_length=spec.max_length, description=spec.description
        )
        for spec in FIELDS
    }
    properties["privacy_acknowledged"] = Schema(
        type=OpenAPIType.BOOLEAN if not multipart else OpenAPIType.STRING,
        description="L'usager a pris connaissance de la notice de protection des données "
        "(true ; en multipart : « true »).",
    )
    if multipart:
        properties["attachments"] = Schema(
            type=OpenAPIType.ARRAY,
            max_items=MAX_FILES,
            items=Schema(type=OpenAPIType.STRING, format="binary"),  # type: ignore[arg-type]
            description="Jusqu'à 3 fichiers PDF, JPEG ou PNG de 5 Mo chacun.",
        )
    required = [spec.name for spec in FIELDS if spec.required] + ["privacy_acknowledged"]
    return Schema(type=OpenAPIType.OBJECT, properties=properties, required=required)


@dataclass
class ContactOperation(Operation):
    """The operation with its two request bodies (Litestar cannot infer a hand-read body)."""

    def __post_init__(self) -> None:
        """Describe the JSON and multipart bodies."""
        self.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(schema=contact_schema(multipart=False)),
                "multipart/form-data": OpenAPIMediaType(schema=contact_schema(multipart=True)),
            },
        )


@dataclass(frozen=True)
class Payload:
    """The fields and uploads of a request, JSON or multipart."""

    fields: dict[str, Any]
    uploads: list[Any]


async def read_payload(
    request: Request[Any, Any, Any], api_client: NamedDependency[Caller]
) -> Payload:
    """Receive the JSON or multipart body (awaiting the client only: no blocking work here).

    One endpoint takes two media types, which a typed `data` cannot: this dependency reads
    the body on the event loop, the sync handler does the rest in a worker thread. It
    depends on the caller's key, so that an unauthenticated request is refused before its
    body is read.
    """
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        return Payload(dict(form.items()), form.getall("attachments", []))
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValidationFailedError(MSG_BODY)
    return Payload(body, [])


@post(
    "/api/v1/contact",
    tags=["Contact"],
    summary="Transmettre une demande d'usager au centre de contact",
    description="Mêmes champs et mêmes contrôles que le formulaire public. Répond la référence "
    "du ticket et l'adresse secrète de suivi ; les erreurs sont en problem+json, une entrée "
    "par champ. Le même e-mail avec le même message dans les 10 minutes donne le même ticket. "
    "Clé d'API avec l'autorisation contact:write.",
    operation_class=ContactOperation,
    request_max_body_size=MAX_CONTACT_BODY,
    status_code=201,
    security=requires(CONTACT_WRITE),
    responses=refusals(),
    dependencies={
        "api_client": Provide(require_scope(CONTACT_WRITE), sync_to_thread=True),
        "payload": Provide(read_payload),
    },
    sync_to_thread=True,
)
def contact_api(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    db_session: DbSession,
    payload: NamedDependency[Payload],
) -> Response[ContactReceipt]:
    """Create a ticket (channel api) from a partner's request."""
    fields, uploads = payload.fields, payload.uploads
    lang = language(fields.get("language"))
    checked = check_contact(
        {k: _text(fields.get(k)) for k in (s.name for s in FIELDS)},
        acknowledged=is_acknowledged(fields.get("privacy_acknowledged")),
        lang=lang,
    )
    files = read_files(uploads, lang=lang)
    if files.error:
        checked.errors["attachments"] = files.error
    if "privacy" in checked.errors:
        checked.errors["privacy_acknowledged"] = checked.errors.pop("privacy")
    if checked.errors or checked.data is None:
        raise ValidationFailedError(t(lang, MSG_INVALID), field_errors=checked.errors)
    retry_after = limiter(request).hit(client_address(request))
    if retry_after is not None:
        settings = request.app.state.settings
        raise TooManyAttemptsError(
            t(lang, MSG_LIMIT),
            retry_after=retry_after,
            limit=settings.intake_rate_limit,
            window=settings.intake_rate_window_seconds,
        )
    data = procedure_from_dossier(request.app.state.dossier_source, checked.data)
    receipt = service.submit_contact(
        db_session,
        data=data,
        channel=Channel.API,
        files=files.accepted,
        storage_dir=settings.storage_dir,
        base_url=settings.base_url,
    )
    body = ContactReceipt(
        reference=receipt.ticket.reference,
        follow_up_url=service.receipt_link(settings.base_url, receipt),
        duplicate=receipt.duplicate,
    )
    return Response(body, status_code=200 if receipt.duplicate else 201)


def _text(value: Any) -> str:
    """A JSON value as the form would send it (null and missing are empty)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)
