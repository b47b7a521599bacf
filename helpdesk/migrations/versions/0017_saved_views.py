"""saved views of the ticket lists (placeholder, filled by the views work)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
