"""The reference service's own SQLite database: dossiers as JSON documents, and sent events."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from dossiers.model import Dossier

SCHEMA = """
CREATE TABLE IF NOT EXISTS dossier (
    number TEXT PRIMARY KEY,
    foreign_number TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_dossier_foreign_number ON dossier (foreign_number);
CREATE TABLE IF NOT EXISTS event (
    event_id TEXT PRIMARY KEY,
    dossier_number TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT
);
"""


class DossierStore:
    """Dossiers and their outgoing events in one SQLite file (serialised by a lock)."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on success."""
        with self._lock, self._connection:
            yield self._connection

    def count(self) -> int:
        """How many dossiers the service holds."""
        with self.transaction() as db:
            return int(db.execute("SELECT count(*) FROM dossier").fetchone()[0])

    def get(self, number: str) -> Dossier | None:
        """A dossier by number."""
        with self.transaction() as db:
            row = db.execute("SELECT document FROM dossier WHERE number = ?", (number,)).fetchone()
        return Dossier.model_validate_json(row[0]) if row else None

    def by_foreign_number(self, foreign_number: str) -> list[Dossier]:
        """The dossiers of a numéro étranger, by number."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT document FROM dossier WHERE foreign_number = ? ORDER BY number",
                (foreign_number,),
            ).fetchall()
        return [Dossier.model_validate_json(row[0]) for row in rows]

    def save(self, dossier: Dossier, *, event: tuple[str, bytes] | None = None) -> None:
        """Insert or replace a dossier, and record its event in the same transaction."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO dossier (number, foreign_number, document) "
                "VALUES (?, ?, ?)",
                (dossier.number, dossier.foreign_number, dossier.model_dump_json()),
            )
            if event is not None:
                db.execute(
                    "INSERT INTO event (event_id, dossier_number, body, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (event[0], dossier.number, event[1].decode(), _now()),
                )

    def pending_events(self, limit: int = 50) -> list[tuple[str, bytes]]:
        """Events not delivered yet, oldest first."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT event_id, body FROM event WHERE delivered_at IS NULL "
                "ORDER BY created_at LIMIT ?",
                (limit,),
            ).fetchall()
        return [(row[0], row[1].encode()) for row in rows]

    def mark_attempt(self, event_id: str, *, delivered: bool) -> None:
        """Count a delivery attempt; remember when it succeeded."""
        with self.transaction() as db:
            db.execute(
                "UPDATE event SET attempts = attempts + 1, delivered_at = ? WHERE event_id = ?",
                (_now() if delivered else None, event_id),
            )

    def close(self) -> None:
        """Close the database."""
        self._connection.close()


def _now() -> str:
    """The current UTC time in ISO form."""
    return datetime.now(UTC).isoformat()
