"""The search's query shapes at scale (PostgreSQL): each part reads its own index.

A database of its own with enough generated tickets that the planner prefers the indexes
(shared by the tests of this module); EXPLAIN without ANALYZE of the queries the list runs.
These fail when a change makes the search scan ticket_search or ticket: a vector computed
on the fly, a LIKE '%…%', a lookup on an expression that its index does not cover.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.db import make_engine
from helpdesk.migrate import migrate
from helpdesk.tickets.listing import COUNT_CAP, QueueFilters, _conditions, list_tickets
from helpdesk.tickets.models import Queue, Ticket
from helpdesk.tickets.search import matching_ticket_ids, parse_query

from factories import make_agent
from support.analysed import vacuum_analyse
from support.servers import fresh_postgres_database

TICKETS = 30_000
# One ticket in twenty is active; "attestation" is in a third of them, "zeugma" in one in
# five thousand; each has its own e-mail, phone, numéro étranger and dossier number.
BULK_TICKETS = """
INSERT INTO ticket (reference, channel, requester_name, requester_email, requester_phone,
    requester_foreign_number, subject, status, priority, queue_id, owner_queue_id,
    dossier_number, language, created_at, updated_at, version, answer_received,
    resolved_at_first_contact)
SELECT 'ANEF-2026-' || lpad(g::text, 6, '0'), 'form', 'Usager ' || g,
    'Usager.' || g || '@Example.org', '06 ' || lpad(g::text, 8, '0'), lpad(g::text, 10, '0'),
    'Sujet ' || g, CASE WHEN g % 20 = 0 THEN 'open' ELSE 'closed' END, 'normal',
    CASE WHEN g % 2 = 0 THEN :dp ELSE :ccc END, :ccc, 'NA-2026-' || lpad(g::text, 6, '0'),
    'fr', now() - g * interval '1 minute', now(), 1, false, false
FROM generate_series(1, :n) AS g
"""
BULK_SEARCH = """
INSERT INTO ticket_search (ticket_id, heading, contact, body)
SELECT id, 'anef 2026 ' || substr(reference, 11) || ' sujet ' || id,
    'usag ' || id || ' usag ' || id || ' exampl org',
    'bonjour mot' || (id % 700) || ' mot' || (id % 300)
    || CASE WHEN id % 3 = 0 THEN ' attest' ELSE '' END
    || CASE WHEN id % 5000 = 0 THEN ' zeugma' ELSE '' END
FROM ticket
"""
BULK_PASSAGES = """
INSERT INTO ticket_queue_passage (queue_id, ticket_id)
SELECT queue_id, id FROM ticket UNION SELECT :ccc, id FROM ticket
"""
COMMON = "attestation"


@pytest.fixture(scope="module")
def scale_engine(postgres_base_url: str) -> Iterator[Engine]:
    """A migrated database of its own holding TICKETS tickets, analysed."""
    with fresh_postgres_database(postgres_base_url) as url:
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as session:
            ids = {q.code: q.id for q in session.exec(select(Queue))}
            values = {"ccc": ids["ccc"], "dp": ids["dp-anef"], "n": TICKETS}
            for bulk in (BULK_TICKETS, BULK_SEARCH, BULK_PASSAGES):
                session.execute(text(bulk), values)
            make_agent(session, email="conseiller@plans.test")
            make_agent(session, organisation="sdst", queues=("sdst",), email="sdst@plans.test")
            session.commit()
        vacuum_analyse(engine, "ticket, ticket_search, ticket_queue_passage")
        yield engine
        engine.dispose()


def explain(session: Session, statement: Any) -> str:
    """PostgreSQL's plan of a statement (without running it)."""
    sql = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    return "\n".join(session.execute(text(f"EXPLAIN {sql}")).scalars().all())


def assert_no_scan(plan: str) -> None:
    """Neither the tickets nor their search rows are read whole."""
    assert "Seq Scan on ticket " not in plan + " ", plan
    assert "Seq Scan on ticket_search" not in plan, plan


def matching(session: Session, query: str) -> Any:
    """The tickets matching a query, as the search selects them."""
    condition = matching_ticket_ids(session, query)
    assert condition is not None
    return select(Ticket.id).where(condition)


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("zeugma", ["ix_ticket_search_vector"]),
        # A repeated word (matched once); mot421 is in one ticket in 700 (the prefix mot42
        # matched 2 % of them: a join that read the whole table cost the same, a coin toss).
        ("mot421 mot421", ["ix_ticket_search_vector"]),
        ("usager.12345@example.org", ["ix_ticket_email_key", "ix_ticket_search_vector"]),
        ("ANEF-2026-012345", ["ix_ticket_reference", "ix_ticket_search_vector"]),
        ("06 00 01 23 45", ["ix_ticket_phone_key", "ix_ticket_requester_foreign_number"]),
        ("0000012345", ["ix_ticket_requester_foreign_number", "ix_ticket_phone_key"]),
        ("NA-2026-012345", ["ix_ticket_dossier_number", "ix_ticket_search_vector"]),
    ],
)
def test_each_part_of_a_match_reads_its_index(scale_engine: Engine, query: str, indexes: list[str]):
    with Session(scale_engine) as session:
        plan = explain(session, matching(session, query))
        found = session.exec(matching(session, query)).all()
    for index in indexes:
        assert index in plan, plan
    assert_no_scan(plan)
    assert found, query  # the shape is that of a query that finds something


@pytest.mark.parametrize("query", [COMMON, "zeugma", "usager.12345@example.org"])
@pytest.mark.parametrize("email", ["conseiller@plans.test", "sdst@plans.test"])
def test_the_list_queries_of_a_search_read_indexes(scale_engine: Engine, query: str, email: str):
    with Session(scale_engine) as session:
        agent = session.exec(select(Agent).where(Agent.email == email)).one()
        for status in ("actifs", ""):
            filters = QueueFilters(q=query, status=status)
            conditions = _conditions(session, agent, filters, parse_query(query))
            candidates = (
                select(Ticket.id)
                .where(*conditions)
                .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
                .limit(COUNT_CAP + 1)
            )
            capped = select(func.count()).select_from(
                select(Ticket.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
            )
            page = select(Ticket.id).where(*conditions).order_by(col(Ticket.created_at)).limit(51)
            for statement in (candidates, capped, page):
                plan = explain(session, statement)
                if query == COMMON and "Seq Scan on ticket_search" in plan:
                    # A word in a third of the tickets: reading ticket_search in order and
                    # stopping at the cap is the cheapest plan, bounded by the Limit on top.
                    assert plan.split("\n")[1].lstrip(" ->").startswith("Limit"), plan
                    plan = plan.replace("Seq Scan on ticket_search", "bounded read")
                assert_no_scan(plan)
                assert "Index" in plan, plan


def test_the_old_uncapped_count_over_a_common_word_would_scan(scale_engine: Engine):
    """The plan check can fail: matching on a vector computed on the fly reads every row."""
    with Session(scale_engine) as session:
        on_the_fly = text(
            "SELECT count(*) FROM ticket_search WHERE to_tsvector('simple', body) "
            "@@ to_tsquery('simple', 'zeugma')"
        )
        plan = "\n".join(session.execute(text(f"EXPLAIN {on_the_fly}")).scalars().all())
    with pytest.raises(AssertionError):
        assert_no_scan(plan)


def test_search_statements_are_planned_for_their_words(scale_engine: Engine):
    """psycopg prepares a statement run five times; a generic plan would ignore the words."""
    with Session(scale_engine) as session:
        agent = session.exec(select(Agent).where(Agent.email == "conseiller@plans.test")).one()
        list_tickets(session, agent=agent, filters=QueueFilters())
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
        for _ in range(12):
            page = list_tickets(session, agent=agent, filters=QueueFilters(q=COMMON, status=""))
        assert page.total == COUNT_CAP + 1
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        session.rollback()
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
