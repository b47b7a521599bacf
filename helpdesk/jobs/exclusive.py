"""One run at a time for periodic jobs that must not overlap themselves."""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlmodel import Session


def run_alone(session: Session, name: str) -> bool:
    """Take the job's lock for the session's transaction; False when another run holds it.

    PostgreSQL: a transaction-level advisory lock, released by the commit or rollback (or
    when a crashed worker's connection closes). SQLite runs one writing transaction at a
    time already: always True.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key per job name
    taken = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
    return bool(taken.scalar_one())
