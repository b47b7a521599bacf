"""canned response folders, languages and macros

Éléments de langage get a folder and a language (fr or en), and what a macro also sets
when it is applied: a status, a priority and tags (comma separated). Existing responses
land in no folder, in French, and set nothing.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("canned_response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("folder", AutoString(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("language", AutoString(length=2), nullable=False, server_default="fr")
        )
        batch_op.add_column(sa.Column("macro_status", AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column("macro_priority", AutoString(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("macro_tags", AutoString(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("canned_response", schema=None) as batch_op:
        batch_op.drop_column("macro_tags")
        batch_op.drop_column("macro_priority")
        batch_op.drop_column("macro_status")
        batch_op.drop_column("language")
        batch_op.drop_column("folder")
