"""A PostgreSQL database holding generated volume, shared by the query-plan tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from helpdesk.db import make_engine
from helpdesk.migrate import migrate
from helpdesk.seed import seed_demo
from helpdesk.volume import seed_volume

from support.analysed import vacuum_analyse
from support.servers import fresh_postgres_database

VOLUME = 20_000  # enough that the planner prefers an index to reading the table
BACKLOG = 20_000  # active tickets at the CCC, as many as a million-ticket table holds
# A backlog written in one statement: the generator's 20,000 tickets hold only a few
# hundred active ones, too few for the planner to care which index it reads.
BACKLOG_TICKETS = """
INSERT INTO ticket (reference, channel, requester_name, subject, status, priority, queue_id,
    owner_queue_id, language, created_at, updated_at, version, answer_received,
    resolved_at_first_contact)
SELECT 'BACKLOG-' || g, 'form', '', 'Sujet ' || g, 'open', 'normal', queue.id, queue.id, 'fr',
    now() - g * interval '1 minute', now(), 1, false, false
FROM generate_series(1, :n) AS g, queue WHERE queue.code = 'ccc'
"""
# Closed history, as a real table holds far more of it than of active tickets (1.5 % active
# at a million): with only the backlog, half the table was active and reading it whole
# became as cheap as reading the partial index, so the plan tests hung on a coin toss.
HISTORY = 100_000
HISTORY_TICKETS = """
INSERT INTO ticket (reference, channel, requester_name, subject, status, priority, queue_id,
    owner_queue_id, language, created_at, updated_at, version, answer_received,
    resolved_at_first_contact)
SELECT 'HISTORY-' || g, 'form', '', 'Sujet ' || g, 'closed', 'normal', queue.id, queue.id, 'fr',
    now() - interval '400 days' - g * interval '1 minute', now(), 1, false, false
FROM generate_series(1, :n) AS g, queue WHERE queue.code = 'ccc'
"""
BACKLOG_PASSAGES = """
INSERT INTO ticket_queue_passage (queue_id, ticket_id)
SELECT queue_id, id FROM ticket WHERE reference LIKE 'BACKLOG-%'
"""


@pytest.fixture(scope="session")
def volume_engine(postgres_base_url: str) -> Iterator[Engine]:
    """A migrated database with the demo accounts, VOLUME generated tickets and a BACKLOG
    of active ones at the CCC (read only)."""
    with fresh_postgres_database(postgres_base_url) as url:
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as session:
            seed_demo(session)
            session.commit()
        seed_volume(engine, tickets=VOLUME, seed=3)
        with engine.begin() as connection:
            connection.execute(text(BACKLOG_TICKETS), {"n": BACKLOG})
            connection.execute(text(HISTORY_TICKETS), {"n": HISTORY})
            connection.execute(text(BACKLOG_PASSAGES))
        vacuum_analyse(engine, "ticket, ticket_queue_passage")
        yield engine
        engine.dispose()
