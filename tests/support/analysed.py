"""Vacuuming a freshly filled test database so that its query plans are those of a settled one."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

# The planner prices an index-only scan by the share of pages marked all-visible. On this
# server a VACUUM right after a bulk insert often marks none (an anti-wraparound autovacuum
# of the new database, or a transaction still finishing, holds the horizon back), and the
# plan tests then saw table scans: VACUUM is repeated until the pages are marked.
SETTLE_SECONDS = 60.0
ALL_VISIBLE_SHARE = 0.95
ALL_VISIBLE = """
SELECT coalesce(min(relallvisible::float / greatest(relpages, 1)), 1) FROM pg_class
WHERE relname = ANY(:names) AND relkind = 'r' AND relpages > 0
"""


def vacuum_analyse(engine: Engine, tables: str) -> None:
    """VACUUM these tables until nearly all their pages are all-visible (or a minute has
    passed), then ANALYZE them."""
    names = [name.strip() for name in tables.split(",")]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            connection.execute(text(f"VACUUM {tables}"))
            if _visible_share(connection, names) >= ALL_VISIBLE_SHARE:
                break
            if time.monotonic() > deadline:
                break  # the plans may then differ; the tests say which
            time.sleep(0.5)
        connection.execute(text(f"ANALYZE {tables}"))


def _visible_share(connection: Connection, names: list[str]) -> float:
    """The smallest share of all-visible pages among these tables."""
    return float(connection.execute(text(ALL_VISIBLE), {"names": names}).scalar_one())
