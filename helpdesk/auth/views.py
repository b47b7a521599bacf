"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from helpdesk.auth import service
from helpdesk.config import Settings
from helpdesk.web.audit import audit_writer, client_address
from helpdesk.web.dependencies import DbSession, OptionalAgent, session_cookie_name
from helpdesk.web.forms import WebForm


class SignInForm(WebForm):
    """The sign-in form."""

    email: str = ""
    password: str = ""
    next: FromQuery[str] = "/"


def safe_next(path: str) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


def session_cookie(settings: Settings, value: str, *, max_age: int | None = None) -> Cookie:
    """The session cookie: HttpOnly, SameSite=Lax, Secure behind https."""
    return Cookie(
        key=session_cookie_name(settings),
        value=value,
        httponly=True,
        secure=settings.is_https,
        samesite="lax",
        path="/",
        max_age=max_age,
    )


class AuthController(Controller):
    """GET and POST /connexion, POST /deconnexion."""

    @get("/connexion", sync_to_thread=False)
    def sign_in_page(
        self, agent_or_none: OptionalAgent, next: FromQuery[str] = "/"
    ) -> Template | Redirect:
        """The sign-in form; a signed-in agent goes home."""
        if agent_or_none is not None:
            return Redirect(safe_next(next))
        return Template(
            "auth/sign_in.html",
            context={"email": "", "error": None, "next_path": safe_next(next), "agent": None},
        )

    @post("/connexion", sync_to_thread=True)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        state: State,
        db_session: DbSession,
        data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        """Check the credentials; on success a new session id replaces any old one."""
        settings: Settings = state.settings
        address = client_address(request)
        service.sign_out(
            db_session,
            token=request.cookies.get(session_cookie_name(settings)),
            address=address,
            reason="new_sign_in",
        )
        result = service.sign_in(
            db_session,
            settings=settings,
            email=data.email,
            password=data.password,
            client_address=address,
            apart=audit_writer(request),
        )
        if result is None:
            return Template(
                "auth/sign_in.html",
                context={
                    "email": data.email,
                    "error": service.BAD_CREDENTIALS,
                    "next_path": safe_next(data.next),
                    "agent": None,
                },
                status_code=401,
            )
        _agent, token = result
        return Redirect(
            safe_next(data.next), cookies=[session_cookie(settings, token)], status_code=303
        )

    @post("/deconnexion", sync_to_thread=True)
    def sign_out(
        self, request: Request[Any, Any, Any], state: State, db_session: DbSession
    ) -> Response[Any]:
        """End the session server-side and clear the cookie."""
        token = request.cookies.get(session_cookie_name(state.settings))
        service.sign_out(db_session, token=token, address=client_address(request))
        return Redirect(
            "/connexion", cookies=[session_cookie(state.settings, "", max_age=0)], status_code=303
        )
