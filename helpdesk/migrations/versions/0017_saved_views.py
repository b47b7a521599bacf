"""saved views of the ticket lists: an agent's filters and sort under a name

`saved_view` keeps the filters as JSON (checked again when the view is opened), the list it
filters (`base`), its owner and, when a supervisor shared it, the queue whose members see it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("shared_queue_id", sa.Integer(), nullable=True),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["shared_queue_id"], ["queue.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_saved_view_agent_id", "saved_view", ["agent_id"], unique=False)
    op.create_index(
        "ix_saved_view_shared_queue_id", "saved_view", ["shared_queue_id"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_saved_view_shared_queue_id", table_name="saved_view")
    op.drop_index("ix_saved_view_agent_id", table_name="saved_view")
    op.drop_table("saved_view")
