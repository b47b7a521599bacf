"""Applying the Alembic migrations, then the reference data of the chain."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from helpdesk.seed import ensure_chain

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Leave out the full-text search objects, which the migrations manage by hand."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith("ticket_fts")
    return not (type_ == "index" and name == "ix_ticket_search_fts")


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
