"""Queue pages, their counts, the home counts and the clock read their indexes at volume.

Each test runs the code a page runs, records the SQL it sends, and asks PostgreSQL for the
plan of each statement (EXPLAIN without ANALYZE): a plan that stops using its index fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.clock import PeriodicJob, enqueue_if_due
from helpdesk.config import Settings
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.tickets.lifecycle import ACTIVE_STATUSES
from helpdesk.tickets.listing import QueueFilters, encode_cursor, list_tickets
from helpdesk.tickets.models import ACTIVE_STATUS_VALUES, Queue, Ticket
from helpdesk.tickets.queries import open_counts

Statement = tuple[str, Any]


@contextmanager
def recorded(engine: Engine) -> Iterator[list[Statement]]:
    """The statements (and their parameters) sent to the database inside the block."""
    sent: list[Statement] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plans(engine: Engine, sent: list[Statement], table: str = "ticket") -> list[str]:
    """The plans of the recorded statements that read `table`."""
    found = []
    with engine.connect() as connection:
        for statement, parameters in sent:
            reads = re.search(rf"FROM {table}\b", statement)
            if reads and statement.lstrip().upper().startswith("SELECT"):
                rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
                found.append("\n".join(row[0] for row in rows))
    return found


def agent(session: Session, email: str) -> Agent:
    """A demo account."""
    return session.exec(select(Agent).where(Agent.email == email)).one()


def queue(session: Session, code: str) -> Queue:
    """A queue of the chain."""
    return session.exec(select(Queue).where(Queue.code == code)).one()


def explained(engine: Engine, action: Callable[[Session], object]) -> list[str]:
    """Run what a page runs and return the plans of its statements on the ticket table."""
    with Session(engine) as session, recorded(engine) as sent:
        action(session)
    return plans(engine, sent)


def test_the_active_statuses_are_those_of_the_partial_indexes():
    assert {status.value for status in ACTIVE_STATUSES} == set(ACTIVE_STATUS_VALUES)


def test_a_queue_page_and_its_count_read_the_active_index(volume_engine: Engine):
    with Session(volume_engine) as session:
        conseiller = agent(session, "conseiller@ccc.demo")
        ccc = queue(session, "ccc")
        filters = QueueFilters(queue_id=ccc.id)
        first = list_tickets(session, agent=conseiller, filters=filters)
        assert first.next_cursor is not None  # enough active tickets for a second page
    for sort, index in (
        ("anciens", "ix_ticket_active_queue_created"),
        ("recents", "ix_ticket_active_queue_created"),
        ("activite", "ix_ticket_active_queue_updated"),
    ):
        page = QueueFilters(queue_id=ccc.id, sort=sort)
        count, rows = explained(
            volume_engine, lambda s, page=page: list_tickets(s, agent=conseiller, filters=page)
        )
        assert "Aggregate" in count and "ix_ticket_active_queue_" in count, count
        assert index in rows and "Sort" not in rows, (sort, rows)  # read in order, 51 rows


def test_a_deep_page_reads_the_active_index_from_its_cursor(volume_engine: Engine):
    with Session(volume_engine) as session:
        conseiller = agent(session, "conseiller@ccc.demo")
        ccc = queue(session, "ccc")
        middle = session.exec(
            select(Ticket)
            .where(Ticket.queue_id == ccc.id, text("ticket.status IN ('new', 'open', 'waiting')"))
            .order_by(Ticket.created_at, Ticket.id)  # type: ignore[arg-type]
            .offset(60)
        ).first()
        assert middle is not None
        cursor = encode_cursor([middle.created_at, middle.id])
    deep = QueueFilters(queue_id=ccc.id, after=cursor)
    _count, rows = explained(
        volume_engine, lambda s: list_tickets(s, agent=conseiller, filters=deep)
    )
    assert "ix_ticket_active_queue_created" in rows and "Sort" not in rows, rows


def test_the_home_counts_read_the_active_index_only(volume_engine: Engine):
    def counts(session: Session) -> dict[int, int]:
        return open_counts(session, list(session.exec(select(Queue))))

    (plan,) = explained(volume_engine, counts)
    assert "Index Only Scan using ix_ticket_active_queue_" in plan, plan


def test_the_clock_asks_the_outbox_through_its_index(volume_engine: Engine):
    with volume_engine.begin() as connection:  # enough finished jobs to prefer the index
        connection.execute(
            text(
                "INSERT INTO outbox_message (actor_name, payload, created_at, due_at, attempts, "
                "failures, done_at) SELECT 'mail.send', CAST('{}' AS json), now(), now(), 1, 0, "
                "now() FROM generate_series(1, 20000)"
            )
        )
        connection.execute(  # the periodic job ran a minute ago: not due again
            text(
                "INSERT INTO outbox_message (actor_name, payload, created_at, due_at, attempts, "
                "failures) VALUES ('routing.sla_check', CAST('{}' AS json), "
                "now() - interval '1 minute', now(), 0, 0)"
            )
        )
        connection.execute(text("ANALYZE outbox_message"))
    runtime = JobRuntime(Settings(env="test", secret_key="plans"), volume_engine)
    with recorded(volume_engine) as sent:
        assert enqueue_if_due(runtime, PeriodicJob("routing.sla_check", 3600)) is None
    (plan,) = plans(volume_engine, sent, table="outbox_message")
    assert "ix_outbox_message_actor_created" in plan, plan
