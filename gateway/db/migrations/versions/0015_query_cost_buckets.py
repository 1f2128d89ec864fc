"""query_cost_buckets: each caller's budget of query cost, a leaky bucket every process shares

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "query_cost_buckets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("available", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("query_cost_buckets")
