"""agent notifications and their preferences (placeholder)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
