"""durable outbox: rows are done when their effect commits; retries and leases live in the table

The outbox row becomes the job's durable state: `due_at` (when the sweep may hand it over
again: lease of a hand-off, or backoff after a failure), `done_at` (written with the job's
effect; replaces the job_execution table), `dead_at`, `failures` and the broker's message id.
Dead letters get `alerted_at` and an index on `failed_at`; outgoing e-mails keep their
Message-ID. Rows sent before this revision are taken as done.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PENDING = "done_at IS NULL AND dead_at IS NULL"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", helpdesk.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("broker_message_id", sqlmodel.sql.sqltypes.AutoString(length=64))
        )
        batch_op.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("done_at", helpdesk.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("dead_at", helpdesk.db.UTCDateTime(), nullable=True))
        batch_op.drop_index("ix_outbox_message_sent_at")
    op.execute("UPDATE outbox_message SET due_at = created_at, done_at = sent_at")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("due_at", existing_type=helpdesk.db.UTCDateTime(), nullable=False)
        batch_op.alter_column("failures", server_default=None)
        batch_op.create_index(
            "ix_outbox_message_pending_due",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )
    op.drop_table("job_execution")
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alerted_at", helpdesk.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dead_letter_failed_at"), ["failed_at"], unique=False)
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("message_id")
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letter_failed_at"))
        batch_op.drop_column("alerted_at")
    op.create_table(
        "job_execution",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("done_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_pending_due")
        batch_op.create_index("ix_outbox_message_sent_at", ["sent_at"], unique=False)
        batch_op.drop_column("dead_at")
        batch_op.drop_column("done_at")
        batch_op.drop_column("failures")
        batch_op.drop_column("broker_message_id")
        batch_op.drop_column("due_at")
