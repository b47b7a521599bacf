"""Fixtures of the agent notification tests: settings, running the derive jobs as a worker would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.agent_notifications.capture import DERIVE_JOB
from helpdesk.agent_notifications.models import AgentNotification
from helpdesk.config import Settings
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS
from helpdesk.jobs.runtime import JobRuntime

from conftest import make_settings

RunJobs = Callable[[], int]


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Test settings (in-process broker, mail folder under tmp_path)."""
    return make_settings(tmp_path, base_url="https://assistance.example.gouv.fr")


@pytest.fixture()
def run_derive(engine: Engine, settings: Settings) -> Iterator[RunJobs]:
    """Run every pending derive job through the job runtime (claim, effect, commit)."""
    runtime = JobRuntime(settings, engine)

    def run() -> int:
        with Session(engine) as session:
            rows = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.actor_name == DERIVE_JOB, col(OutboxMessage.done_at).is_(None))
                .order_by(col(OutboxMessage.id))
            ).all()
        for row in rows:
            runtime.execute(JOBS[DERIVE_JOB], row.id, dict(row.payload))
        return len(rows)

    yield run
    runtime.stop()


Notified = Callable[[int | None], list[tuple[str, int]]]


@pytest.fixture()
def notified(engine: Engine) -> Notified:
    """The (kind, ticket id) of an agent's notifications, oldest first."""

    def read(agent_id: int | None) -> list[tuple[str, int]]:
        with Session(engine) as session:
            rows = session.exec(
                select(AgentNotification)
                .where(AgentNotification.agent_id == agent_id)
                .order_by(col(AgentNotification.id))
            ).all()
            return [(row.kind, row.ticket_id) for row in rows]

    return read
