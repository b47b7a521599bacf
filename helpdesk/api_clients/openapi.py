"""How the API documents its security: the schemes, each operation's requirement, refusals."""

from __future__ import annotations

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme
from pydantic import BaseModel

from helpdesk.api_clients.scopes import SCOPES

API_KEY_SCHEME = "cleApi"
EVENT_SIGNATURE_SCHEME = "signatureEvenement"


class Problem(BaseModel):
    """An error answer (RFC 9457, application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, str]] = []


def security_components() -> Components:
    """The security schemes of the helpdesk's API (OpenAPI components)."""
    scopes = "; ".join(f"`{name}` : {label}" for name, label in SCOPES.items())
    return Components(
        security_schemes={
            API_KEY_SCHEME: SecurityScheme(
                type="http",
                scheme="bearer",
                bearer_format="anef_<préfixe>_<secret>",
                description=(
                    "Clé d'API d'un client déclaré par un administrateur de l'assistance "
                    "(Administration → Clients d'API), envoyée dans l'en-tête "
                    "« Authorization: Bearer <clé> ». La clé n'est montrée qu'une fois ; "
                    "lors d'un renouvellement, l'ancienne clé fonctionne encore pendant la "
                    "durée de recouvrement indiquée. Autorisations (scopes) : " + scopes + "."
                ),
            ),
            EVENT_SIGNATURE_SCHEME: SecurityScheme(
                type="apiKey",
                name="X-Dossier-Signature",
                security_scheme_in="header",
                description=(
                    "Signature HMAC-SHA256 de l'événement, en plus de la clé d'API : "
                    "sha256=hex(HMAC(secret partagé, X-Dossier-Timestamp + '.' + corps))."
                ),
            ),
        }
    )


def requires(scope: str, *, signed: bool = False) -> list[SecurityRequirement]:
    """An operation's security requirement: the API key with this scope (and the signature)."""
    requirement: SecurityRequirement = {API_KEY_SCHEME: [scope]}
    if signed:
        requirement[EVENT_SIGNATURE_SCHEME] = []
    return [requirement]


def refusals() -> dict[int, ResponseSpec]:
    """The documented answers of an operation whose key is missing, refused or too weak."""
    return {
        401: ResponseSpec(
            data_container=Problem,
            description="Clé d'API absente, invalide, révoquée ou expirée "
            "(en-tête WWW-Authenticate: Bearer).",
            media_type="application/problem+json",
            generate_examples=False,
        ),
        403: ResponseSpec(
            data_container=Problem,
            description="La clé est valide mais le client n'a pas l'autorisation nécessaire.",
            media_type="application/problem+json",
            generate_examples=False,
        ),
    }
