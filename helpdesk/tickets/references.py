"""Ticket references ANEF-yyyy-nnnnnn, unique and safe under concurrent creation."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

REFERENCE_PREFIX = "ANEF"

_INSERT_YEAR = {
    "postgresql": "INSERT INTO ticket_sequence (year, last_value) VALUES (:y, 0) "
    "ON CONFLICT (year) DO NOTHING",
    "sqlite": "INSERT OR IGNORE INTO ticket_sequence (year, last_value) VALUES (:y, 0)",
}
_BUMP = (
    "UPDATE ticket_sequence SET last_value = last_value + 1 WHERE year = :y RETURNING last_value"
)


def format_reference(year: int, number: int) -> str:
    """The reference text for a year and a sequence number."""
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"


def allocate_reference(session: Session, year: int) -> str:
    """Take the next number of the year.

    On PostgreSQL the counter moves in its own short transaction so that concurrent
    creations never wait for each other's commit; a rolled-back ticket leaves a gap,
    which references tolerate. SQLite has one writer at a time, so it uses the
    caller's transaction.
    """
    bind = session.get_bind()
    engine: Engine = bind.engine if isinstance(bind, Connection) else bind
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            number = _bump(connection, year, "postgresql")
            connection.commit()
    else:
        number = _bump(session.connection(), year, engine.dialect.name)
    return format_reference(year, number)


def _bump(connection: Connection, year: int, dialect: str) -> int:
    """Make sure the year's counter exists, then increment it and return the new value."""
    connection.execute(text(_INSERT_YEAR[dialect]), {"y": year})
    return int(connection.execute(text(_BUMP), {"y": year}).scalar_one())
