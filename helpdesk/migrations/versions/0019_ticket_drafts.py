"""reply drafts and agent panel preferences (placeholder)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
