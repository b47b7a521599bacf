"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.db import make_engine
from helpdesk.migrate import alembic_config, include_name, migrate
from helpdesk.models import metadata
from helpdesk.ticket_routing.service import route_ticket
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import (
    HandoverRoute,
    Queue,
    Ticket,
    TicketQueuePassage,
    TicketSearchDocument,
)
from helpdesk.tickets.search import matching_ticket_ids

from factories import make_agent, make_ticket
from support.servers import fresh_postgres_database


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_models_and_migrations_agree(engine: Engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_migrations_seed_the_chain(engine: Engine):
    with Session(engine) as session:
        levels = {q.code: q.level for q in session.exec(select(Queue))}
        routes = session.exec(select(HandoverRoute)).all()
    assert levels == {"ccc": 1, "dp-anef": 2, "sdst": 3, "sdanf": 3}
    assert len(routes) >= 8


@pytest.mark.parametrize("table", sorted(metadata.tables))
def test_every_table_exists(engine: Engine, table: str):
    with engine.connect() as connection:
        assert engine.dialect.has_table(connection, table)


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, migrated to the latest revision, that a test may downgrade."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_base_url")) as url:
        engine = make_engine(url)
        migrate(engine)
        yield engine
        engine.dispose()


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_search_tokens_migration_rebuilds_existing_documents_both_ways(scratch_engine: Engine):
    with Session(scratch_engine, expire_on_commit=False) as session:
        ticket = make_ticket(session, subject="Préfecture du cœur", requester_name="Иван")
        session.commit()
        document = session.get(TicketSearchDocument, ticket.id)
        assert document is not None
        parts = (document.heading, document.contact, document.body)

    _alembic(scratch_engine, "downgrade", "0007")
    with scratch_engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT document FROM ticket_search")).scalar_one()
    assert ticket.reference in raw and "Préfecture du cœur" in raw and "Иван" in raw

    _alembic(scratch_engine, "upgrade", "head")
    with Session(scratch_engine) as session:
        document = session.get(TicketSearchDocument, ticket.id)
        assert document is not None
        assert (document.heading, document.contact, document.body) == parts
        for query in ("coeur prefecture", "Иван", ticket.reference):
            condition = matching_ticket_ids(session, query)
            assert condition is not None
            assert session.exec(select(Ticket.id).where(condition)).all() == [ticket.id]


def test_queue_passage_migration_fills_the_passages_from_the_history(scratch_engine: Engine):
    summary = {"reason": "motif", "checked": "vérifié", "question": "question ?", "answer": "ok"}
    with Session(scratch_engine, expire_on_commit=False) as session:
        advisor = make_agent(session, queues=("ccc", "dp-anef", "sdst", "sdanf"))
        travelled = make_ticket(session, subject="Aller et retour")
        for code in ("dp-anef", "sdst", "sdanf", "ccc"):
            hand_over(session, ticket_id=travelled.id, to_queue_code=code, actor=advisor, **summary)  # type: ignore[arg-type]
        routed = make_ticket(session, subject="Arrivé au SDST", queue_code="sdst")
        route_ticket(session, ticket_id=routed.id, trigger="created")  # type: ignore[arg-type]
        make_ticket(session, subject="Resté au CCC")
        session.commit()
        rows = session.exec(select(TicketQueuePassage.ticket_id, TicketQueuePassage.queue_id))
        expected = set(rows.all())
    assert len(expected) == 4 + 2 + 1

    _alembic(scratch_engine, "downgrade", "0010")
    with scratch_engine.connect() as connection:
        assert not scratch_engine.dialect.has_table(connection, "ticket_queue_passage")
    _alembic(scratch_engine, "upgrade", "head")
    with Session(scratch_engine) as session:
        rows = session.exec(select(TicketQueuePassage.ticket_id, TicketQueuePassage.queue_id))
        assert set(rows.all()) == expected
