"""Bulk writes of generated rows: COPY on PostgreSQL, executemany on SQLite; ids and numbers.

Ids are given in Python (after the largest one in each table), so a batch needs no
round trip per row; afterwards the id sequences and the reference counter are moved past
what was written, so tickets created later by the service get fresh ids and references.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.tickets.models import Message, Ticket, TicketEvent, TicketSearchDocument
from helpdesk.tickets.references import SEQUENCE

TABLES: dict[str, Table] = {
    str(model.__tablename__): cast(Table, getattr(model, "__table__"))  # noqa: B009
    for model in (Ticket, Message, TicketEvent, TicketSlaClock, TicketSearchDocument)
}
# Secondary indexes of these tables (not primary keys nor unique ones), dropped during a
# large load on PostgreSQL and built again at its end, in the same transaction.
_SECONDARY_INDEXES = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "AND tablename = ANY(:tables) AND indexdef NOT LIKE 'CREATE UNIQUE%'"
)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
WITH_IDS = ("ticket", "message", "ticket_event", "ticket_sla_clock")


def next_ticket_id(connection: Connection) -> int:
    """The first free ticket id (generated tickets get theirs in Python)."""
    return _scalar(connection, "SELECT COALESCE(MAX(id), 0) FROM ticket") + 1


def forget_cached_plans(connection: Connection) -> None:
    """Drop this connection's cached query plans (PostgreSQL) before a load.

    The foreign-key checks of message and ticket_event rows run a cached plan per
    connection. A pooled connection that checked a few demo tickets earlier kept a plan made
    for a near-empty ticket table (a sequential scan), and every generated row then read
    every ticket written so far: 20,000 tickets took minutes. Planned again at the first
    check of the load, after its first batch of tickets, the check reads the primary key.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("DISCARD PLANS"))


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


def write(
    connection: Connection,
    rows: dict[str, list[dict[str, Any]]],
    copy_text: dict[str, tuple[list[str], str]],
) -> None:
    """Insert a batch, parents first: rows (executemany) or COPY text (PostgreSQL)."""
    for name, table in TABLES.items():
        if rows.get(name):
            connection.execute(table.insert(), rows[name])
        if name in copy_text:
            columns, data = copy_text[name]
            raw: Any = connection.connection.driver_connection
            statement = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(data)


# The queues each generated ticket has been in (what helpdesk.policy reads): its current
# queue and those its move lines name, as revision 0011 fills them for existing tickets.
_PASSAGES = """
INSERT INTO ticket_queue_passage (queue_id, ticket_id)
SELECT ticket.queue_id, ticket.id FROM ticket WHERE ticket.id >= :first
UNION
SELECT queue.id, ticket_event.ticket_id
FROM ticket_event JOIN queue
  ON queue.code = ticket_event.from_value OR queue.code = ticket_event.to_value
WHERE ticket_event.ticket_id >= :first
  AND ticket_event.kind IN ('created', 'escalate', 'transfer', 'return', 'routed')
"""


def record_passages(connection: Connection, *, first_ticket_id: int) -> None:
    """Write the queue passages of the tickets generated from this id on (set-based)."""
    connection.execute(text(_PASSAGES), {"first": first_ticket_id})


def analyze(connection: Connection) -> None:
    """Refresh the planner's statistics of the generated tables (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        for name in (*TABLES, "ticket_queue_passage"):
            connection.execute(text(f"ANALYZE {name}"))


def _scalar(connection: Connection, query: str) -> int:
    """The integer a query returns."""
    return int(connection.execute(text(query)).scalar_one())


@contextmanager
def indexes_set_aside(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, drop the tables' secondary indexes now and rebuild them at the end.

    Building an index once over every row is much faster than updating it row by row (the
    search's GIN index most of all). The caller's transaction holds the drop and the rebuild
    together: a load that fails leaves the indexes as they were.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    found = connection.execute(text(_SECONDARY_INDEXES), {"tables": list(TABLES)}).all()
    for name, _definition in found:
        connection.execute(text(f'DROP INDEX "{name}"'))
    yield
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _name, definition in found:
        connection.execute(text(definition))


def copy_text(rows: list[dict[str, Any]]) -> tuple[list[str], str]:
    """Rows (all with the same keys) as COPY's text format, written by hand (fast).

    Timestamps are aware UTC: their text carries "+00:00", which a timestamp column
    without time zone ignores, so it stores the naive UTC time as UTCDateTime does.
    """
    columns = list(rows[0])
    lines = ["\t".join([_text(row[name]) for name in columns]) for row in rows]
    return columns, "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value)
