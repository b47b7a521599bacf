"""agent notifications (one row per agent, cause and kind) and their e-mail preferences

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "agent_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("read_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("emailed_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "source", "kind", name="uq_agent_notification_source"),
    )
    with op.batch_alter_table("agent_notification", schema=None) as batch_op:
        batch_op.create_index("ix_agent_notification_unread", ["agent_id", "read_at"])
        batch_op.create_index(
            batch_op.f("ix_agent_notification_ticket_id"), ["ticket_id"], unique=False
        )
    op.create_table(
        "agent_notification_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("email_mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("email_muted", sa.JSON(), nullable=False),
        sa.Column("last_digest_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("agent_notification_settings")
    with op.batch_alter_table("agent_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_notification_ticket_id"))
        batch_op.drop_index("ix_agent_notification_unread")
    op.drop_table("agent_notification")
