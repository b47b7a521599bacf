"""Bulk writes of generated rows: COPY on PostgreSQL, executemany on SQLite; ids and numbers.

Ids are given in Python (after the largest one in each table), so a batch needs no
round trip per row; afterwards the id sequences and the reference counter are moved past
what was written, so tickets created later by the service get fresh ids and references.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table, text
from sqlalchemy.engine import Connection

from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.tickets.models import Message, Ticket, TicketEvent, TicketSearchDocument
from helpdesk.tickets.references import SEQUENCE

TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__  # type: ignore[attr-defined, misc]
    for model in (Ticket, Message, TicketEvent, TicketSlaClock, TicketSearchDocument)
}
WITH_IDS = ("ticket", "message", "ticket_event", "ticket_sla_clock")


def next_ids(connection: Connection) -> dict[str, int]:
    """The first free id of each generated table."""
    # Table and sequence names below are constants of this module, never user input.
    queries = {name: f"SELECT COALESCE(MAX(id), 0) FROM {name}" for name in WITH_IDS}  # noqa: S608
    return {name: _scalar(connection, query) + 1 for name, query in queries.items()}


def last_reference_number(connection: Connection) -> int:
    """The largest reference number already given out (the next one is this plus one)."""
    if connection.dialect.name == "postgresql":
        query = f"SELECT last_value, is_called FROM {SEQUENCE}"  # noqa: S608
        row = connection.execute(text(query)).one()
        return int(row[0]) if row[1] else int(row[0]) - 1
    found = connection.execute(text("SELECT MAX(last_value) FROM ticket_sequence")).scalar()
    return int(found or 0)


def advance_counters(connection: Connection, *, last_number: int, years: Iterable[int]) -> None:
    """Move the id sequences and the reference counter past the generated rows."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT setval('{SEQUENCE}', :n)"), {"n": last_number})
        for name in WITH_IDS:
            largest = f"(SELECT MAX(id) FROM {name})"  # noqa: S608
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {largest})")
            )
        return
    for year in {*years, datetime.now(UTC).year}:
        connection.execute(
            text("INSERT OR IGNORE INTO ticket_sequence (year, last_value) VALUES (:y, 0)"),
            {"y": year},
        )
    connection.execute(
        text("UPDATE ticket_sequence SET last_value = MAX(last_value, :n)"), {"n": last_number}
    )


def write(connection: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the rows of each table, parents first."""
    for name, table in TABLES.items():
        if rows.get(name):
            if connection.dialect.name == "postgresql":
                _copy(connection, table, rows[name])
            else:
                connection.execute(table.insert(), rows[name])


def analyze(connection: Connection) -> None:
    """Refresh the planner's statistics of the generated tables (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        for name in TABLES:
            connection.execute(text(f"ANALYZE {name}"))


def _scalar(connection: Connection, query: str) -> int:
    """The integer a query returns."""
    return int(connection.execute(text(query)).scalar_one())


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows into a PostgreSQL table through the connection's psycopg cursor.

    Timestamps are aware UTC: the text form carries "+00:00", which a timestamp column
    without time zone ignores, so it stores the naive UTC time as UTCDateTime does.
    """
    names = [column.name for column in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw: Any = connection.connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in names]
            for index, name in enumerate(names):
                if name in json_columns:
                    values[index] = json.dumps(values[index], ensure_ascii=False)
            copy.write_row(values)
