"""Request dependencies: the database session, the signed-in agent, role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import anyio
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlmodel import Session

from helpdesk.auth.models import Agent, Organisation
from helpdesk.auth.service import resolve_session
from helpdesk.config import Settings
from helpdesk.errors import SignInRequiredError
from helpdesk.policy import Action, ensure, may_do

SESSION_COOKIE = "helpdesk_session"


@dataclass(frozen=True)
class AgentSummary:
    """What the page header shows of the signed-in agent."""

    full_name: str
    role: str
    organisation_kind: str = ""
    rights: frozenset[str] = frozenset()  # the policy's actions the agent holds (the menu)


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


def provide_optional_agent(
    request: Request, db_session: NamedDependency[Session], state: State
) -> Agent | None:
    """The signed-in agent, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    agent = resolve_session(db_session, settings=state.settings, token=token)
    # A plain copy for error pages, which render after a rollback has expired the row.
    request.state.agent_summary = _summary(db_session, agent) if agent else None
    return agent


def _summary(session: Session, agent: Agent) -> AgentSummary:
    """What the page header and menu need to know of the agent."""
    organisation = session.get(Organisation, agent.organisation_id)
    return AgentSummary(
        full_name=agent.full_name,
        role=agent.role,
        organisation_kind=organisation.kind if organisation else "",
        rights=frozenset(action.value for action in Action if may_do(session, agent, action)),
    )


def provide_agent(agent_or_none: NamedDependency[Agent | None]) -> Agent:
    """The signed-in agent; anonymous visitors are sent to the sign-in page."""
    if agent_or_none is None:
        raise SignInRequiredError("Connectez-vous pour accéder à cette page.")
    return agent_or_none


def require_right(action: Action) -> Callable[..., Agent]:
    """A dependency that lets through only agents the policy gives this right."""

    def check(agent: NamedDependency[Agent], db_session: NamedDependency[Session]) -> Agent:
        return ensure(db_session, agent, action)

    return check


# Explicit names for injected values (Litestar 3 drops inferred dependencies).
DbSession = NamedDependency[Session]
CurrentAgent = NamedDependency[Agent]
OptionalAgent = NamedDependency[Agent | None]
