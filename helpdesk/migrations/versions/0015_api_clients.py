"""machine clients: API clients with hashed secrets, scopes, rotation and revocation

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import helpdesk.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("revoked_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_client_name"), ["name"], unique=True)
    op.create_table(
        "api_client_secret",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["api_client.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_client_secret", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_client_secret_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_client_secret_prefix"), ["prefix"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("api_client_secret", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_secret_prefix"))
        batch_op.drop_index(batch_op.f("ix_api_client_secret_client_id"))
    op.drop_table("api_client_secret")
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_name"))
    op.drop_table("api_client")
