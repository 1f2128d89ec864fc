"""order_lines.free_credit_id: which free credit a discount line spent, to give it back on cancel

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "order_lines",
        sa.Column("free_credit_id", UUID(as_uuid=True), sa.ForeignKey("free_credits.id", ondelete="SET NULL")),
    )


def downgrade() -> None:
    op.drop_column("order_lines", "free_credit_id")
