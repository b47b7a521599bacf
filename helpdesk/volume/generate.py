"""seed_volume: write N tickets with a realistic two-year history, in batches."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.seed import ensure_chain
from helpdesk.ticket_routing.models import SlaPolicy
from helpdesk.tickets.lifecycle import ACTIVE_STATUSES
from helpdesk.tickets.models import Queue, QueueMembership
from helpdesk.volume import writer
from helpdesk.volume.arrivals import arrivals
from helpdesk.volume.stories import Chain, Story, clocks, new_story, play, search_document

BATCH = 5_000
LARGE_LOAD = 50_000  # tickets from which PostgreSQL's indexes are rebuilt after the load


@dataclass
class VolumeReport:
    """What seed_volume wrote and how long it took."""

    tickets: int = 0
    active: int = 0
    messages: int = 0
    events: int = 0
    clocks: int = 0
    seconds: float = 0.0
    first_reference: str = ""
    last_reference: str = ""

    def summary(self) -> str:
        """One line for the command and the benchmark."""
        rate = self.tickets / self.seconds if self.seconds else 0
        return (
            f"{self.tickets} tickets ({self.active} en cours), {self.messages} messages, "
            f"{self.events} événements, {self.clocks} horloges SLA en {self.seconds:.1f} s "
            f"({rate:.0f} tickets/s) ; références {self.first_reference} à {self.last_reference}"
        )


def seed_volume(
    engine: Engine,
    *,
    tickets: int,
    seed: int = 1,
    now: datetime | None = None,
    batch: int = BATCH,
    set_indexes_aside: bool | None = None,
    progress: Callable[[VolumeReport], None] | None = None,
) -> VolumeReport:
    """Generate `tickets` tickets (deterministic for a seed) after those already there.

    One transaction: nothing is left half-written. On PostgreSQL a large load (or
    `set_indexes_aside`) rebuilds the secondary indexes at the end instead of row by row,
    which locks the ticket tables while it runs: seed a database nobody is using.
    """
    started = time.perf_counter()
    now = (now or utcnow()).astimezone(UTC)
    with Session(engine) as session:
        ensure_chain(session)
        session.commit()
        chain = load_chain(session)
    report = VolumeReport()
    times = arrivals(random.Random(seed), tickets, now)  # noqa: S311 - reproducible data
    if set_indexes_aside is None:
        set_indexes_aside = tickets >= LARGE_LOAD
    with engine.begin() as connection:
        ids = writer.next_ids(connection)
        first_number = writer.last_reference_number(connection) + 1
        aside = writer.indexes_set_aside(connection) if set_indexes_aside else nullcontext()
        with aside:
            for offset in range(0, tickets, batch):
                rng = random.Random(f"{seed}-{offset}")  # noqa: S311 - reproducible data
                arriving = times[offset : offset + batch]
                numbers = range(first_number + offset, first_number + offset + len(arriving))
                stories = [
                    play(new_story(chain, rng, now, ticket_id=ids["ticket"] + i, number=n, at=at))
                    for i, (n, at) in enumerate(zip(numbers, arriving, strict=True))
                ]
                rows = rows_of(stories, ids)
                writer.write(connection, rows)
                _count(report, stories, rows)
                if progress:
                    progress(report)
        last = first_number + tickets - 1
        writer.advance_counters(connection, last_number=last, years={at.year for at in times})
    with engine.begin() as connection:
        writer.analyze(connection)
    report.seconds = time.perf_counter() - started
    return report


def load_chain(session: Session) -> Chain:
    """Queues, their members and the SLA policies, as stories refer to them."""
    queues = list(session.exec(select(Queue)))
    by_id = {q.id: q.code for q in queues}
    agents: dict[str, list[tuple[int | None, str]]] = {}
    members = session.exec(
        select(QueueMembership.queue_id, Agent.id, Agent.full_name)
        .join(Agent, Agent.id == QueueMembership.agent_id)  # type: ignore[arg-type]
        .order_by(Agent.id)  # type: ignore[arg-type]
    )
    for queue_id, agent_id, name in members:
        if agent_id is not None:
            agents.setdefault(by_id[queue_id], []).append((agent_id, name))
    policies = {
        (p.queue_id, p.priority): (int(p.id or 0), p.resolution_minutes)
        for p in session.exec(select(SlaPolicy))
    }
    return Chain(
        queue_ids={q.code: int(q.id or 0) for q in queues},
        levels={q.code: q.level for q in queues},
        agents=agents,
        policies=policies,
    )


def rows_of(stories: list[Story], ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The rows of a batch of stories, with ids given in order (ids is advanced)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in writer.TABLES}
    for story in stories:
        ticket_id = story.ticket["id"]
        rows["ticket"].append(story.ticket)
        for message in story.messages:
            rows["message"].append(
                {
                    "id": _take(ids, "message"),
                    "ticket_id": ticket_id,
                    "kind": message.kind,
                    "author_id": message.author_id,
                    "author_label": message.author_label,
                    "body": " ".join(message.fragments),
                    "created_at": message.at,
                }
            )
        for event in story.events:
            rows["ticket_event"].append(
                {"id": _take(ids, "ticket_event"), "ticket_id": ticket_id, **event.__dict__}
            )
        for clock in clocks(story):
            rows["ticket_sla_clock"].append(
                {**_CLOCK_DEFAULTS, "id": _take(ids, "ticket_sla_clock"), **clock}
            )
        rows["ticket_search"].append({"ticket_id": ticket_id, "document": search_document(story)})
    ids["ticket"] += len(stories)
    return rows


_CLOCK_DEFAULTS = dict.fromkeys(
    (
        "response_due_at",
        "resolution_due_at",
        "response_warned_at",
        "response_breached_at",
        "resolution_warned_at",
        "resolution_breached_at",
    )
)


def _take(ids: dict[str, int], name: str) -> int:
    """The next id of a table."""
    value = ids[name]
    ids[name] = value + 1
    return value


def _count(report: VolumeReport, stories: list[Story], rows: dict[str, list[Any]]) -> None:
    """Add a batch to the report."""
    if not report.first_reference and stories:
        report.first_reference = stories[0].ticket["reference"]
    if stories:
        report.last_reference = stories[-1].ticket["reference"]
    report.tickets += len(stories)
    report.active += sum(1 for s in stories if s.ticket["status"] in ACTIVE_STATUSES)
    report.messages += len(rows["message"])
    report.events += len(rows["ticket_event"])
    report.clocks += len(rows["ticket_sla_clock"])
