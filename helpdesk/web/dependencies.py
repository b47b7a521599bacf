"""Request dependencies: the database session, the signed-in agent, role checks."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlmodel import Session

from helpdesk.admin.dead_letters import count_not_replayed
from helpdesk.audit.service import agent_actor
from helpdesk.auth.models import Agent, Organisation
from helpdesk.auth.service import ExpiredSession, end_expired_session, resolve_session
from helpdesk.config import Settings
from helpdesk.errors import RefusedObject, SignInRequiredError
from helpdesk.policy import Action, ensure, may_do
from helpdesk.policy.refusals import take_noted
from helpdesk.web.audit import client_address, record_refusals

SESSION_COOKIE = "helpdesk_session"
# Behind https the browser binds a __Host- cookie to the exact host, path / and Secure: no
# subdomain nor plain-http page can set or overwrite it.
HOST_PREFIX = "__Host-"


def session_cookie_name(settings: Settings) -> str:
    """The session cookie's name: with the __Host- prefix when served over https."""
    return HOST_PREFIX + SESSION_COOKIE if settings.is_https else SESSION_COOKIE


T = TypeVar("T")


@dataclass(frozen=True)
class AgentSummary:
    """What the page header shows of the signed-in agent."""

    full_name: str
    role: str
    organisation_kind: str = ""
    rights: frozenset[str] = frozenset()  # the policy's actions the agent holds (the menu)
    failed_jobs: int = 0  # dead letters not replayed yet (administrators only: the menu badge)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def provide_db_session(state: State, request: Request) -> Generator[Session, None, None]:
    """One session per request, one transaction: committed when the handler succeeds, rolled
    back when it fails. Its outbox rows leave through the application's job runtime once
    committed. Handlers never commit nor roll back: a refusable step goes in `attempt`.

    On SQLite a GET reads in a DEFERRED transaction, which neither waits for the writer nor
    holds the write lock while the page renders (see helpdesk.db)."""
    options = {"sqlite_begin": "DEFERRED"} if request.method in READ_METHODS else {}
    refusals: list[RefusedObject] = []
    try:
        with state.jobs.transaction(**options) as session:
            try:
                yield session
            finally:
                refusals = take_noted(session)
    finally:
        if refusals:  # the policy's refusals, recorded apart whatever became of the request
            record_refusals(request, refusals)


def in_worker_thread(
    dependency: Callable[..., Generator[T, None, None]],
) -> Callable[..., AsyncIterator[T]]:
    """A sync generator dependency whose every step runs in a worker thread.

    Litestar 2 runs a sync generator dependency's first step, and its error path when the
    handler fails (the exception thrown into it), on the event loop: `sync_to_thread` has no
    effect on generators, only the success cleanup goes to a thread. A database session's
    commit and rollback must never hold the loop, so this adapter hands each step of the
    generator to the thread pool (shielded, so a cancelled request still rolls back).
    """

    @functools.wraps(dependency)
    async def provide(*args: Any, **kwargs: Any) -> AsyncIterator[T]:
        steps = dependency(*args, **kwargs)
        value = await anyio.to_thread.run_sync(next, steps)
        try:
            yield value
        except BaseException as error:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_throw, steps, error)
            raise
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_finish, steps)

    return provide


def _throw(steps: Generator[Any, None, None], error: BaseException) -> None:
    """Throw the handler's error into the generator (its rollback); only a new error escapes."""
    try:
        steps.throw(error)
    except StopIteration:
        return
    except BaseException as raised:
        if raised is not error:
            raise
        return
    raise RuntimeError(f"{steps!r} yielded again after an error")


def _finish(steps: Generator[Any, None, None]) -> None:
    """Run the generator past its only yield (its commit)."""
    for _ in steps:
        raise RuntimeError(f"{steps!r} yielded more than once")


def provide_settings(state: State) -> Settings:
    """The application settings."""
    settings: Settings = state.settings
    return settings


def provide_optional_agent(
    request: Request, db_session: NamedDependency[Session], state: State
) -> Agent | None:
    """The signed-in agent, or None (an expired session is ended and recorded, apart)."""
    token = request.cookies.get(session_cookie_name(state.settings))
    live = resolve_session(db_session, settings=state.settings, token=token)
    address = client_address(request)
    if isinstance(live, ExpiredSession):
        _end_apart(state, live, address)
        live = None
    if live is not None and live.touch_due:
        state.session_activity.note(live.session_id)
    agent = live.agent if live else None
    # Plain copies for error pages, which render after a rollback has expired the row, and
    # for the audit row of a refusal.
    request.state.agent_summary = _summary(db_session, agent) if agent else None
    request.state.audit_actor = agent_actor(agent, address) if agent else None
    return agent


def _end_apart(state: State, expired: ExpiredSession, address: str) -> None:
    """Revoke the expired session and record its expiry, after the request's transaction."""
    state.audit.run(lambda session: end_expired_session(session, expired=expired, address=address))


def _summary(session: Session, agent: Agent) -> AgentSummary:
    """What the page header and menu need to know of the agent."""
    organisation = session.get(Organisation, agent.organisation_id)
    rights = frozenset(action.value for action in Action if may_do(session, agent, action))
    return AgentSummary(
        full_name=agent.full_name,
        role=agent.role,
        organisation_kind=organisation.kind if organisation else "",
        rights=rights,
        failed_jobs=count_not_replayed(session) if Action.ADMINISTER.value in rights else 0,
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
