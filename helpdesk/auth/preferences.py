"""An agent's console preferences: which side panels of the ticket page stay open."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.auth.preference_models import AgentPreference
from helpdesk.db import require_id, utcnow
from helpdesk.errors import ValidationFailedError

# The side panels of the ticket page, by the name their accordion button carries
# (`data-panel`), with their labels.
PANELS = {
    "dossier": "Dossier",
    "kb": "Base de connaissances",
    "routing-sla": "Routage et délais",
    "incident": "Incident",
    "history": "Historique du demandeur",
}
PREFIX = "panel."
OPEN, CLOSED = "open", "closed"
MSG_UNKNOWN_PANEL = "Ce panneau n'existe pas."


def open_panels(session: Session, agent: Agent) -> set[str]:
    """The side panels the agent keeps open (all of them until the agent closes one)."""
    rows = session.exec(
        select(AgentPreference.name, AgentPreference.value).where(
            AgentPreference.agent_id == agent.id,
            col(AgentPreference.name).startswith(PREFIX),
        )
    ).all()
    closed = {name.removeprefix(PREFIX) for name, value in rows if value == CLOSED}
    return set(PANELS) - closed


def remember_panel(session: Session, *, agent: Agent, panel: str, is_open: bool) -> None:
    """Remember that the agent opened or closed this side panel."""
    if panel not in PANELS:
        raise ValidationFailedError(MSG_UNKNOWN_PANEL, field_errors={"panel": MSG_UNKNOWN_PANEL})
    set_preference(session, agent=agent, name=PREFIX + panel, value=OPEN if is_open else CLOSED)


def set_preference(session: Session, *, agent: Agent, name: str, value: str) -> None:
    """Store one named preference of the agent (created or overwritten)."""
    agent_id = require_id(agent)
    if _update(session, agent_id, name, value):
        return
    try:
        with session.begin_nested():
            session.add(AgentPreference(agent_id=agent_id, name=name, value=value))
    except IntegrityError:  # written meanwhile by another request of the same agent
        _update(session, agent_id, name, value)


def _update(session: Session, agent_id: int, name: str, value: str) -> bool:
    """Overwrite an existing preference; False when there is none yet."""
    result = session.execute(
        update(AgentPreference)
        .where(col(AgentPreference.agent_id) == agent_id, col(AgentPreference.name) == name)
        .values(value=value, updated_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))
