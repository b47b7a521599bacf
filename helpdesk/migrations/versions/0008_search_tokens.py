"""search tokens: ticket search documents hold knowledge_base.text tokens on both databases

The search document of a ticket now holds its normalised tokens (folded, stop words
dropped, stemmed, other scripts kept), matched by the same Python normalisation of the
query: PostgreSQL indexes to_tsvector('simple', document) instead of French + unaccent,
and SQLite's FTS5 table splits on what is already normalised. Existing documents are
rebuilt from the tickets and their messages (and back to raw text on downgrade).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from alembic import op

from knowledge_base.text import tokens

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 500
FTS_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
OLD_FTS_TOKENIZE = "unicode61 remove_diacritics 2"


def upgrade() -> None:
    """Apply this revision."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ticket_search_fts")
        _rebuild_documents(_tokens_document)
        op.execute(
            "CREATE INDEX ix_ticket_search_fts ON ticket_search "
            "USING gin (to_tsvector('simple', document))"
        )
        op.execute("DROP FUNCTION IF EXISTS f_unaccent(text)")
    else:
        if dialect == "sqlite":
            _drop_sqlite_fts()
        _rebuild_documents(_tokens_document)
        if dialect == "sqlite":
            _create_sqlite_fts(FTS_TOKENIZE)


def downgrade() -> None:
    """Revert this revision."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ticket_search_fts")
        _rebuild_documents(_raw_document)
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            "CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text AS "
            "$$ SELECT public.unaccent('public.unaccent', $1) $$ "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
        )
        op.execute(
            "CREATE INDEX ix_ticket_search_fts ON ticket_search "
            "USING gin (to_tsvector('french', f_unaccent(document)))"
        )
    else:
        if dialect == "sqlite":
            _drop_sqlite_fts()
        _rebuild_documents(_raw_document)
        if dialect == "sqlite":
            _create_sqlite_fts(OLD_FTS_TOKENIZE)


def _tokens_document(parts: Iterable[str]) -> str:
    """The document as helpdesk.tickets.search writes it from this revision on."""
    return " ".join(" ".join(tokens(part)) for part in parts if part).strip()


def _raw_document(parts: Iterable[str]) -> str:
    """The document as it was written before this revision (raw text, reference split)."""
    parts = list(parts)
    reference = parts[0]
    kept = [reference, reference.replace("-", " "), *parts[1:]]
    return "\n".join(part for part in kept if part)


def _rebuild_documents(build: Callable[[Iterable[str]], str]) -> None:
    """Rewrite the search document of every ticket that has one, in batches."""
    connection = op.get_bind()
    last = 0
    while True:
        tickets = connection.execute(
            sa.text(
                "SELECT t.id, t.reference, t.subject, t.requester_name, t.requester_email, "
                "t.dossier_number FROM ticket t JOIN ticket_search s ON s.ticket_id = t.id "
                "WHERE t.id > :last ORDER BY t.id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not tickets:
            return
        ids = [row[0] for row in tickets]
        bodies: dict[int, list[str]] = {}
        messages = connection.execute(
            sa.text(
                "SELECT ticket_id, body FROM message WHERE ticket_id IN :ids ORDER BY id"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        for ticket_id, body in messages:
            bodies.setdefault(ticket_id, []).append(body)
        connection.execute(
            sa.text("UPDATE ticket_search SET document = :document WHERE ticket_id = :id"),
            [
                {
                    "id": ticket_id,
                    "document": build(
                        [
                            reference,
                            subject,
                            name or "",
                            email or "",
                            dossier or "",
                            *bodies.get(ticket_id, []),
                        ]
                    ),
                }
                for ticket_id, reference, subject, name, email, dossier in tickets
            ],
        )
        last = ids[-1]


def _drop_sqlite_fts() -> None:
    """Drop the FTS5 table and the triggers that feed it."""
    for trigger in ("ticket_search_ai", "ticket_search_ad", "ticket_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS ticket_fts")


def _create_sqlite_fts(tokenize: str) -> None:
    """The FTS5 table over ticket_search, its triggers, and its index built from the rows."""
    quoted = tokenize.replace('"', '""')
    op.execute(
        "CREATE VIRTUAL TABLE ticket_fts USING fts5(document, content='ticket_search', "
        f"content_rowid='ticket_id', tokenize=\"{quoted}\")"
    )
    op.execute(
        "CREATE TRIGGER ticket_search_ai AFTER INSERT ON ticket_search BEGIN "
        "INSERT INTO ticket_fts(rowid, document) VALUES (new.ticket_id, new.document); END"
    )
    op.execute(
        "CREATE TRIGGER ticket_search_ad AFTER DELETE ON ticket_search BEGIN "
        "INSERT INTO ticket_fts(ticket_fts, rowid, document) "
        "VALUES ('delete', old.ticket_id, old.document); END"
    )
    op.execute(
        "CREATE TRIGGER ticket_search_au AFTER UPDATE ON ticket_search BEGIN "
        "INSERT INTO ticket_fts(ticket_fts, rowid, document) "
        "VALUES ('delete', old.ticket_id, old.document); "
        "INSERT INTO ticket_fts(rowid, document) VALUES (new.ticket_id, new.document); END"
    )
    op.execute("INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild')")
