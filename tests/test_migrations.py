"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.migrate import include_name
from helpdesk.models import metadata
from helpdesk.tickets.models import HandoverRoute, Queue


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
