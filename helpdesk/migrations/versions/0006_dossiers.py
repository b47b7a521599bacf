"""dossiers: received dossier events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "dossier_event_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("dossier_number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("occurred_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("received_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dossier_event_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_event_receipt_dossier_number"), ["dossier_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dossier_event_receipt_event_id"), ["event_id"], unique=True
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("dossier_event_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_event_receipt_event_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_event_receipt_dossier_number"))
    op.drop_table("dossier_event_receipt")
