"""sla next check: running clocks are checked when their next warning or due date comes

`ticket_sla_clock.next_check_at` holds the next moment a clock's state may change; partial
indexes on the running clocks serve the periodic check (those whose moment has come, and
the least recently checked). Running clocks are made due at once so that the first check
after the upgrade fills the column.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 20:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

RUNNING = "stopped_at IS NULL"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("ticket_sla_clock", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_check_at", helpdesk.db.UTCDateTime(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE ticket_sla_clock SET next_check_at = :now WHERE stopped_at IS NULL"
        ).bindparams(now=helpdesk.db.utcnow().replace(tzinfo=None))
    )
    with op.batch_alter_table("ticket_sla_clock", schema=None) as batch_op:
        for name, column in (("next_check", "next_check_at"), ("checked", "checked_at")):
            batch_op.create_index(
                f"ix_ticket_sla_clock_running_{name}",
                [column],
                unique=False,
                postgresql_where=sa.text(RUNNING),
                sqlite_where=sa.text(RUNNING),
            )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("ticket_sla_clock", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_sla_clock_running_checked")
        batch_op.drop_index("ix_ticket_sla_clock_running_next_check")
        batch_op.drop_column("next_check_at")
