"""active indexes: queue pages and counts read partial indexes over tickets in progress

Queue pages (first or deep, oldest or latest activity first), their counts, the home counts
and "my tickets" read partial indexes over active tickets (new, open, waiting) that end with
their sort keys, so their cost follows the tickets in progress, not the years of closed
history. The plain index on the status goes: most tickets share two of its five values, and
the planner preferred it to the partial indexes, then sorted every active ticket. The clock's "was this periodic job enqueued within its period" gets its own index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 23:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ACTIVE_CONDITION = "status IN ('new', 'open', 'waiting')"
ACTIVE_INDEXES = {
    "ix_ticket_active_queue_created": ["queue_id", "created_at", "id"],
    "ix_ticket_active_queue_updated": ["queue_id", "updated_at", "id"],
    "ix_ticket_active_assignee_created": ["assignee_id", "created_at", "id"],
}


def upgrade() -> None:
    """Apply this revision."""
    for name, columns in ACTIVE_INDEXES.items():
        op.create_index(
            name,
            "ticket",
            columns,
            unique=False,
            postgresql_where=sa.text(ACTIVE_CONDITION),
            sqlite_where=sa.text(ACTIVE_CONDITION),
        )
    op.drop_index("ix_ticket_status", table_name="ticket")
    op.create_index(
        "ix_outbox_message_actor_created", "outbox_message", ["actor_name", "created_at"]
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_outbox_message_actor_created", table_name="outbox_message")
    op.create_index("ix_ticket_status", "ticket", ["status"], unique=False)
    for name in ACTIVE_INDEXES:
        op.drop_index(name, table_name="ticket")
