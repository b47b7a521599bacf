"""canned response folders, languages and macros (placeholder)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 10:50:00.000000
"""

from __future__ import annotations

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
