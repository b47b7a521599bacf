"""Applying the Alembic migrations, then the reference data of the chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from helpdesk.seed import ensure_chain

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# Made by the migrations by hand: expression indexes, and what only one database has.
HAND_MADE_INDEXES = frozenset(
    {
        "ix_ticket_search_fts",
        "ix_ticket_search_vector",
        "ix_ticket_email_key",
        "ix_ticket_phone_key",
    }
)


def include_name(name: str | None, type_: str, parents: Any) -> bool:
    """Leave out the search objects that the migrations manage by hand."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith("ticket_fts")
    if type_ == "column":
        return not (name == "vector" and parents.get("table_name") == "ticket_search")
    return not (type_ == "index" and name in HAND_MADE_INDEXES)


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic configuration pointing at our migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision and make sure the chain exists."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with Session(engine) as session:
        ensure_chain(session)
        session.commit()
