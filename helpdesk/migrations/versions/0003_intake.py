"""intake: follow-up links, sent forms, rate-limit hits, deflection events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "intake_follow_up_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("intake_follow_up_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_follow_up_link_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "intake_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_submission", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_submission_fingerprint"), ["fingerprint"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_intake_submission_ticket_id"), ["ticket_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_intake_submission_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "intake_rate_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_rate_hit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_rate_hit_client_key"), ["client_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intake_rate_hit_at"), ["at"], unique=False)

    op.create_table(
        "intake_deflection_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("article", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_deflection_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_deflection_event_visit_id"), ["visit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_intake_deflection_event_ticket_id"), ["ticket_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_intake_deflection_event_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("intake_deflection_event")
    op.drop_table("intake_rate_hit")
    op.drop_table("intake_submission")
    op.drop_table("intake_follow_up_link")
