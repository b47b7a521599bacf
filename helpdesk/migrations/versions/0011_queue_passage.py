"""queue passage: the queues each ticket has been in, kept as an indexed relation

Who may read a ticket depends on the queues it passed through. That used to be read from
the history (every move line naming a queue code), a scan of ticket_event on each list,
count and search. The relation ticket_queue_passage(queue_id, ticket_id) is now written
where a ticket gets a queue; it is filled here from each ticket's current queue and the
queue codes its move lines name ("created", "escalate", "transfer", "return", "routed").

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 20:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Each ticket's current queue, and the queues its move lines name: the history kinds whose
# from/to values are queue codes ("created", "escalate", "transfer", "return", "routed").
BACKFILL = """
INSERT INTO ticket_queue_passage (queue_id, ticket_id)
SELECT ticket.queue_id, ticket.id FROM ticket
UNION
SELECT queue.id, ticket_event.ticket_id
FROM ticket_event JOIN queue
  ON queue.code = ticket_event.from_value OR queue.code = ticket_event.to_value
WHERE ticket_event.kind IN ('created', 'escalate', 'transfer', 'return', 'routed')
"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ticket_queue_passage",
        sa.Column("queue_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queue.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("queue_id", "ticket_id"),
    )
    with op.batch_alter_table("ticket_queue_passage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_queue_passage_ticket_id"), ["ticket_id"], unique=False
        )
    op.execute(BACKFILL)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("ticket_queue_passage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_queue_passage_ticket_id"))
    op.drop_table("ticket_queue_passage")
