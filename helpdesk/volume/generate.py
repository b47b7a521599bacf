"""seed_volume: write N tickets with a realistic two-year history, in batches."""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
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
from helpdesk.volume.stories import Chain, Story, clocks, new_story, play, search_parts

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

    def add(self, other: VolumeReport) -> None:
        """Count a batch in."""
        self.tickets += other.tickets
        self.active += other.active
        self.messages += other.messages
        self.events += other.events
        self.clocks += other.clocks
        self.first_reference = self.first_reference or other.first_reference
        self.last_reference = other.last_reference or self.last_reference

    def summary(self) -> str:
        """One line for the command and the benchmark."""
        rate = self.tickets / self.seconds if self.seconds else 0
        return (
            f"{self.tickets} tickets ({self.active} en cours), {self.messages} messages, "
            f"{self.events} événements, {self.clocks} horloges SLA en {self.seconds:.1f} s "
            f"({rate:.0f} tickets/s) ; références {self.first_reference} à {self.last_reference}"
        )


@dataclass(frozen=True)
class Batch:
    """A slice of the tickets to generate (sent to a worker process on large loads)."""

    chain: Chain
    now: datetime
    seed: int
    offset: int
    first_ticket_id: int
    first_number: int
    times: list[datetime]
    as_copy_text: bool


@dataclass
class Written:
    """A generated batch: its rows (or their COPY text) and what it holds."""

    rows: dict[str, list[dict[str, Any]]]
    copy_text: dict[str, tuple[list[str], str]]
    report: VolumeReport


def seed_volume(
    engine: Engine,
    *,
    tickets: int,
    seed: int = 1,
    now: datetime | None = None,
    batch: int = BATCH,
    set_indexes_aside: bool | None = None,
    processes: int | None = None,
    progress: Callable[[VolumeReport], None] | None = None,
) -> VolumeReport:
    """Generate `tickets` tickets (deterministic for a seed) after those already there.

    One transaction: nothing is left half-written. On PostgreSQL a large load (or
    `set_indexes_aside`) rebuilds the secondary indexes at the end instead of row by row,
    which locks the ticket tables while it runs: seed a database nobody is using. Large
    loads on PostgreSQL generate their batches in worker processes while this one writes
    (started with "spawn": a script calling this needs the `if __name__ == "__main__"` guard).
    """
    started = time.perf_counter()
    now = (now or utcnow()).astimezone(UTC)
    with Session(engine) as session:
        ensure_chain(session)
        session.commit()
        chain = load_chain(session)
    report = VolumeReport()
    times = arrivals(random.Random(seed), tickets, now)  # noqa: S311 - reproducible data
    postgres = engine.dialect.name == "postgresql"
    large = postgres and tickets >= LARGE_LOAD
    if processes is None:
        processes = min(4, os.cpu_count() or 1) if large else 1
    with engine.begin() as connection:
        writer.forget_cached_plans(connection)
        first_id = writer.next_ticket_id(connection)
        first_number = writer.last_reference_number(connection) + 1
        batches = [
            Batch(
                chain,
                now,
                seed,
                offset,
                first_id + offset,
                first_number + offset,
                times[offset : offset + batch],
                postgres,
            )
            for offset in range(0, tickets, batch)
        ]
        aside = set_indexes_aside if set_indexes_aside is not None else large
        with writer.indexes_set_aside(connection) if aside else nullcontext():
            for written in _generated(batches, processes):
                writer.write(connection, written.rows, written.copy_text)
                report.add(written.report)
                if progress:
                    progress(report)
        writer.record_passages(connection, first_ticket_id=first_id)
        last = first_number + tickets - 1
        writer.advance_counters(connection, last_number=last, years={at.year for at in times})
    with engine.begin() as connection:
        writer.analyze(connection)
    report.seconds = time.perf_counter() - started
    return report


def _generated(batches: list[Batch], processes: int) -> Iterator[Written]:
    """The batches generated in order, here or by worker processes (a few ahead at most)."""
    if processes <= 1:
        yield from map(generate_batch, batches)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        pending: deque[Future[Written]] = deque()
        for item in batches:
            pending.append(pool.submit(generate_batch, item))
            if len(pending) > 2 * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def generate_batch(batch: Batch) -> Written:
    """Play the stories of a batch and turn them into rows (or COPY text)."""
    rng = random.Random(f"{batch.seed}-{batch.offset}")  # noqa: S311 - reproducible data
    stories = [
        play(
            new_story(
                batch.chain,
                rng,
                batch.now,
                ticket_id=batch.first_ticket_id + i,
                number=batch.first_number + i,
                at=at,
            )
        )
        for i, at in enumerate(batch.times)
    ]
    rows = rows_of(stories)
    report = _counted(stories, rows)
    if batch.as_copy_text:
        return Written({}, {name: writer.copy_text(r) for name, r in rows.items() if r}, report)
    return Written(rows, {}, report)


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


def rows_of(stories: list[Story]) -> dict[str, list[dict[str, Any]]]:
    """The rows of a batch of stories (the database numbers messages, events and clocks)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in writer.TABLES}
    for story in stories:
        ticket_id = story.ticket["id"]
        rows["ticket"].append(story.ticket)
        for message in story.messages:
            rows["message"].append(
                {
                    "ticket_id": ticket_id,
                    "kind": message.kind,
                    "author_id": message.author_id,
                    "author_label": message.author_label,
                    "body": " ".join(message.fragments),
                    "created_at": message.at,
                }
            )
        for event in story.events:
            rows["ticket_event"].append({"ticket_id": ticket_id, **event.__dict__})
        for clock in clocks(story):
            rows["ticket_sla_clock"].append({**_CLOCK_DEFAULTS, **clock})
        rows["ticket_search"].append({"ticket_id": ticket_id, **search_parts(story)})
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


def _counted(stories: list[Story], rows: dict[str, list[Any]]) -> VolumeReport:
    """What a batch holds."""
    return VolumeReport(
        tickets=len(stories),
        active=sum(1 for s in stories if s.ticket["status"] in ACTIVE_STATUSES),
        messages=len(rows["message"]),
        events=len(rows["ticket_event"]),
        clocks=len(rows["ticket_sla_clock"]),
        first_reference=stories[0].ticket["reference"] if stories else "",
        last_reference=stories[-1].ticket["reference"] if stories else "",
    )
