"""Vacuuming a freshly filled test database so that its query plans are those of a settled one."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

# A new database can get an anti-wraparound autovacuum (it runs even with autovacuum off);
# while another backend holds a snapshot or a transaction, VACUUM cannot mark the new rows
# all-visible, and the planner then prices index-only scans as reads of the whole table.
SETTLE_SECONDS = 30.0
OTHERS_HOLDING_SNAPSHOTS = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
    AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
"""


def vacuum_analyse(engine: Engine, tables: str) -> None:
    """VACUUM ANALYZE these tables once nobody else in the database holds a snapshot, then
    VACUUM them again: on this server the first pass left most freshly inserted pages not
    all-visible (330 of 2,443) and the second marked them (2,442), whatever the wait."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        deadline = time.monotonic() + SETTLE_SECONDS
        while connection.execute(text(OTHERS_HOLDING_SNAPSHOTS)).scalar_one():
            if time.monotonic() > deadline:
                break  # plans may then differ; the tests say which
            time.sleep(0.2)
        connection.execute(text(f"VACUUM ANALYZE {tables}"))
        connection.execute(text(f"VACUUM {tables}"))
