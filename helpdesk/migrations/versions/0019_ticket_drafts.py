"""reply drafts, agent panel preferences, call notes

`ticket_draft` keeps the reply an agent is writing on a ticket (one per agent and ticket),
so that a reload or a conflict does not lose it. `agent_preference` holds an agent's small
console preferences (which side panels of the ticket page are open). The first message of
tickets taken by phone was stored as the requester's message; it is the téléconseiller's
note of the call: its kind becomes `call_note`. The requester e-mail (lower) and numéro
étranger indexes the requester history reads exist already (0001, 0012).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The first message of each phone ticket, still stored as the requester's.
CALL_NOTES = (
    "UPDATE message SET kind = 'call_note' WHERE kind = 'requester' AND id IN ("
    "SELECT MIN(m.id) FROM message m JOIN ticket t ON t.id = m.ticket_id "
    "WHERE t.channel = 'phone' GROUP BY m.ticket_id)"
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ticket_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "ticket_id"),
    )
    op.create_index("ix_ticket_draft_agent_id", "ticket_draft", ["agent_id"], unique=False)
    op.create_index("ix_ticket_draft_ticket_id", "ticket_draft", ["ticket_id"], unique=False)
    op.create_table(
        "agent_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "name"),
    )
    op.create_index("ix_agent_preference_agent_id", "agent_preference", ["agent_id"], unique=False)
    op.execute(CALL_NOTES)


def downgrade() -> None:
    """Revert this revision."""
    op.execute("UPDATE message SET kind = 'requester' WHERE kind = 'call_note'")
    op.drop_index("ix_agent_preference_agent_id", table_name="agent_preference")
    op.drop_table("agent_preference")
    op.drop_index("ix_ticket_draft_ticket_id", table_name="ticket_draft")
    op.drop_index("ix_ticket_draft_agent_id", table_name="ticket_draft")
    op.drop_table("ticket_draft")
