"""Request dependencies: the database session, the signed-in agent, role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import anyio
from litestar import Request
from litestar.datastructures import State
from sqlmodel import Session

from helpdesk.auth.models import Agent, Role
from helpdesk.auth.service import resolve_session
from helpdesk.config import Settings
from helpdesk.errors import PermissionDeniedError, SignInRequiredError

SESSION_COOKIE = "helpdesk_session"


async def provide_db_session(state: State) -> AsyncIterator[Session]:
    """One session per request, committed (off the event loop) when the handler succeeds."""
    session = Session(state.engine, expire_on_commit=False)
    try:
        yield session
        await anyio.to_thread.run_sync(session.commit)
    except BaseException:
        await anyio.to_thread.run_sync(session.rollback)
        raise
    finally:
        await anyio.to_thread.run_sync(session.close)


def provide_settings(state: State) -> Settings:
    """The application settings."""
    settings: Settings = state.settings
    return settings


def provide_optional_agent(request: Request, db_session: Session, state: State) -> Agent | None:
    """The signed-in agent, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    agent = resolve_session(db_session, settings=state.settings, token=token)
    request.state.agent = agent
    return agent


def provide_agent(agent_or_none: Agent | None) -> Agent:
    """The signed-in agent; anonymous visitors are sent to the sign-in page."""
    if agent_or_none is None:
        raise SignInRequiredError("Connectez-vous pour accéder à cette page.")
    return agent_or_none


def require_roles(*roles: Role) -> Callable[[Agent], Agent]:
    """A dependency that lets through only agents with one of these roles."""

    def check(agent: Agent) -> Agent:
        if agent.role not in roles:
            raise PermissionDeniedError(
                "Cette page est réservée à d'autres profils. "
                "Demandez à votre administrateur si vous pensez en avoir besoin."
            )
        return agent

    return check
