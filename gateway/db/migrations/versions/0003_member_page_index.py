"""index for members pages: (organization_id, created_at, id)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_memberships_organization_id_created_at_id", "memberships", ["organization_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_memberships_organization_id_created_at_id", "memberships")
