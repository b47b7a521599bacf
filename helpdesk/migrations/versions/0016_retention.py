"""data protection: retention runs, right-of-access requests, anonymisation

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 04:40:00.000000
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
