"""data protection: retention runs, right-of-access requests, anonymisation

Tickets get `anonymised_at` (set once the requester's personal data was removed) and a
partial index on the closing date of those not anonymised yet, which the retention job
reads. `retention_run` records each run of the job with its counts; `data_request` tracks
the usagers' requests (access, erasure, rectification) and their one-month deadline.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

RETENTION_CONDITION = "anonymised_at IS NULL"


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("ticket", sa.Column("anonymised_at", helpdesk.db.UTCDateTime(), nullable=True))
    op.create_index(
        "ix_ticket_retention_closed",
        "ticket",
        ["closed_at"],
        unique=False,
        postgresql_where=sa.text(RETENTION_CONDITION),
        sqlite_where=sa.text(RETENTION_CONDITION),
    )
    op.create_table(
        "retention_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("more", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_run_started_at", "retention_run", ["started_at"], unique=False)
    op.create_table(
        "data_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("requester_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column(
            "requester_foreign_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("exported_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("answered_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["answered_by_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["opened_by_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_request_due_on", "data_request", ["due_on"], unique=False)
    op.create_index("ix_data_request_status", "data_request", ["status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_data_request_status", table_name="data_request")
    op.drop_index("ix_data_request_due_on", table_name="data_request")
    op.drop_table("data_request")
    op.drop_index("ix_retention_run_started_at", table_name="retention_run")
    op.drop_table("retention_run")
    op.drop_index("ix_ticket_retention_closed", table_name="ticket")
    # Plain ALTER TABLE (SQLite 3.35+ too): a batch copy of `ticket` would trip its foreign keys.
    op.execute("ALTER TABLE ticket DROP COLUMN anonymised_at")
