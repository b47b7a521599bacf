"""Ticket references ANEF-yyyy-nnnnnn, unique and safe under concurrent creation."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

REFERENCE_PREFIX = "ANEF"
SEQUENCE = "ticket_reference_seq"

_INSERT_YEAR = "INSERT OR IGNORE INTO ticket_sequence (year, last_value) VALUES (:y, 0)"
_BUMP = (
    "UPDATE ticket_sequence SET last_value = last_value + 1 WHERE year = :y RETURNING last_value"
)


def format_reference(year: int, number: int) -> str:
    """The reference text for a year and a sequence number."""
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"


def allocate_reference(session: Session, year: int) -> str:
    """Take the next reference number.

    On PostgreSQL the number comes from a sequence: nextval never waits for another
    transaction and never needs a second connection, so concurrent creations cannot
    block each other; a rolled-back ticket leaves a gap, which references tolerate.
    SQLite has one writer at a time, so a per-year counter in the caller's transaction
    is enough there.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        number = int(connection.execute(text(f"SELECT nextval('{SEQUENCE}')")).scalar_one())
    else:
        number = _bump(connection, year)
    return format_reference(year, number)


def _bump(connection: Connection, year: int) -> int:
    """Make sure the year's counter exists, then increment it and return the new value."""
    connection.execute(text(_INSERT_YEAR), {"y": year})
    return int(connection.execute(text(_BUMP), {"y": year}).scalar_one())
