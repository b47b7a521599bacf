"""Error pages: every refusal answers in French, as HTML, an htmx fragment or problem+json."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.exc import OperationalError

from helpdesk.errors import (
    CredentialsRefusedError,
    DomainError,
    InsufficientScopeError,
    SignInRequiredError,
    TooManyAttemptsError,
)
from helpdesk.i18n import N_, preferred_language, t
from helpdesk.web.audit import record_refusal

log = structlog.get_logger(__name__)

# French message ids: the public pages show them in the page's language (see babel.cfg).
DEFAULT_MESSAGES = {
    400: (
        N_("Demande incorrecte"),
        N_("La demande n'a pas pu être comprise. Vérifiez votre saisie."),
    ),
    403: (
        N_("Accès refusé"),
        N_(
            "Vous n'avez pas accès à cette page, ou le formulaire a expiré : "
            "rechargez la page puis recommencez."
        ),
    ),
    404: (
        N_("Page introuvable"),
        N_("La page que vous cherchez n'existe pas ou n'est plus disponible."),
    ),
    405: (N_("Action impossible"), N_("Cette action n'est pas possible sur cette page.")),
    413: (
        N_("Envoi trop volumineux"),
        N_("Votre envoi dépasse la taille autorisée. Allégez-le."),
    ),
    429: (
        N_("Trop de demandes"),
        N_("Trop de demandes en peu de temps. Patientez puis réessayez."),
    ),
    500: (
        N_("Erreur inattendue"),
        N_(
            "Une erreur inattendue est survenue. Votre saisie n'a pas été perdue si "
            "elle a été confirmée ; réessayez dans quelques instants."
        ),
    ),
    503: (
        N_("Service indisponible"),
        N_("Le service est momentanément indisponible. Réessayez."),
    ),
}
MSG_UNREADABLE_BODY = N_(
    "Votre envoi n'a pas pu être lu : il contient des caractères ou une mise en forme "
    "invalides. Rien n'a été enregistré. Revenez à la page précédente, vérifiez le texte "
    "et les noms des fichiers joints, puis envoyez de nouveau."
)
MSG_REFUSED_VALUE = N_(
    "Une valeur envoyée n'est pas acceptée (caractère interdit, nombre ou date hors des "
    "limites). Rien n'a été enregistré. Vérifiez votre saisie puis recommencez."
)
# Pages an usager reads: their errors follow the page's language (`lang`, the browser's).
PUBLIC_PREFIXES = ("/contact", "/aide", "/help", "/suivi", "/api/v1/contact")


def render_error(
    request: HTMXRequest,
    status_code: int,
    *,
    title: str | None = None,
    message: str | None = None,
    field_errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """An error response in the form the client expects, in the page's language."""
    default_title, default_message = DEFAULT_MESSAGES.get(status_code, DEFAULT_MESSAGES[500])
    lang = request_language(request)
    context = {
        "status_code": status_code,
        "title": t(lang, title or default_title),
        "message": t(lang, message or default_message),
        "field_errors": field_errors or {},
        "lang": lang,
        "public": lang == "en" or request.url.path.startswith(PUBLIC_PREFIXES),
    }
    if request.url.path.startswith("/api/"):
        problem = {
            "type": "about:blank",
            "title": context["title"],
            "status": status_code,
            "detail": context["message"],
            "errors": [{"field": k, "message": v} for k, v in (field_errors or {}).items()],
        }
        return Response(
            problem, status_code=status_code, media_type="application/problem+json", headers=headers
        )
    name = "errors/_error.html" if request.htmx else "errors/error.html"
    context["agent"] = getattr(request.state, "agent_summary", None)
    return Template(name, context=context, status_code=status_code, headers=headers)


def request_language(request: HTMXRequest) -> str:
    """English on a public page asked in English (query or browser); French elsewhere."""
    if not request.url.path.startswith(PUBLIC_PREFIXES):
        return "fr"
    try:
        query = request.query_params.get("lang")
    except Exception:  # an undecodable query string: the browser's language decides
        query = None
    return preferred_language(query, request.headers.get("accept-language"))


def rate_limit_headers(
    retry_after: int, *, limit: int | None, window: int | None
) -> dict[str, str]:
    """Retry-After and the IETF draft's RateLimit-* headers of a 429 (the quota is spent)."""
    headers = {"Retry-After": str(retry_after)}
    if limit is not None and window is not None:
        headers.update(
            {
                "RateLimit-Limit": str(limit),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(retry_after),
                "RateLimit-Policy": f"{limit};w={window}",
            }
        )
    return headers


def domain_error_handler(request: HTMXRequest, error: DomainError) -> Response[Any]:
    """Turn a domain refusal into its page (a refused access is recorded in the audit trail)."""
    record_refusal(request, error)
    if isinstance(error, SignInRequiredError) and not request.url.path.startswith("/api/"):
        if request.htmx:
            return Response("", status_code=401, headers={"HX-Redirect": "/connexion"})
        return Redirect(f"/connexion?next={quote(request.url.path)}")
    headers = None
    if isinstance(error, TooManyAttemptsError):
        headers = rate_limit_headers(error.retry_after, limit=error.limit, window=error.window)
    elif isinstance(error, CredentialsRefusedError | InsufficientScopeError):
        headers = {"WWW-Authenticate": error.challenge}  # API keys (RFC 6750)
    return render_error(
        request,
        error.status_code,
        title=error.title,
        message=error.message,
        field_errors=error.field_errors,
        headers=headers,
    )


def http_error_handler(request: HTMXRequest, error: HTTPException) -> Response[Any]:
    """Litestar's own refusals (404, 405, CSRF 403, 413) as French pages."""
    status = error.status_code
    if isinstance(error, NotFoundException):
        status = 404
    elif isinstance(error, PermissionDeniedException | NotAuthorizedException):
        status = 403 if isinstance(error, PermissionDeniedException) else 401
    if status >= 500:
        log.error("http.error", status=status, error=type(error).__name__)
    return render_error(request, status)


MSG_DATABASE_BUSY = (
    "Le service est momentanément surchargé et votre demande n'a pas été enregistrée. "
    "Revenez à la page précédente (votre saisie y est encore) et renvoyez-la dans quelques "
    "secondes."
)
DATABASE_RETRY_AFTER_S = 5


UNAVAILABLE_SIGNS = ("database is locked", "database is busy", "connection")


def _database_unavailable(error: Exception) -> bool:
    """The database is busy or out of reach (worth sending again), not a broken query."""
    if not isinstance(error, OperationalError):
        return False
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    return any(sign in text for sign in UNAVAILABLE_SIGNS)


def unreadable_body_handler(request: HTMXRequest, error: UnicodeDecodeError) -> Response[Any]:
    """A body that is not text where text is expected (invalid UTF-8 in a form part): 400.

    Raised while the form is parsed, before any handler runs: nothing was written.
    """
    log.info("request.unreadable_body", error=type(error).__name__)
    return render_error(request, 400, message=MSG_UNREADABLE_BODY)


def refused_value_handler(request: HTMXRequest, error: Exception) -> Response[Any]:
    """A value the database or the calendar cannot hold (a NUL byte, a number or a date out
    of range): 400. The request's transaction was rolled back, so nothing was written."""
    log.info("request.refused_value", error=type(error).__name__)
    return render_error(request, 400, message=MSG_REFUSED_VALUE)


def internal_error_handler(request: HTMXRequest, error: Exception) -> Response[Any]:
    """Any other error: logged with its traceback, shown without it.

    A database that is out of reach or busy beyond its wait (SQLite's write lock) is a
    503 that says to send again, not an unexplained 500.
    """
    if _database_unavailable(error):
        log.error("database.unavailable", error=type(error).__name__)
        return render_error(
            request,
            503,
            message=MSG_DATABASE_BUSY,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )
    log.exception("unhandled_error", error=type(error).__name__)
    return render_error(request, 500)
