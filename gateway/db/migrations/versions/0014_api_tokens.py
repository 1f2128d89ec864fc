"""api_tokens: personal access tokens and organization integration tokens

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(name: str, table: str, ondelete: str) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=True)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("hint", sa.String(8), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        _fk("user_id", "users", "CASCADE"),
        _fk("organization_id", "organizations", "CASCADE"),
        sa.Column("organization_ids", ARRAY(UUID(as_uuid=True))),
        sa.Column("rights", ARRAY(sa.String(32)), nullable=False),
        sa.Column("all_products", sa.Boolean, nullable=False),
        sa.Column("product_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("ip_allowlist", ARRAY(sa.String(64)), nullable=False),
        _fk("created_by_id", "users", "SET NULL"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("rotated_at", TS),
        sa.Column("revoked_at", TS),
        sa.Column("last_used_at", TS),
        sa.Column("last_used_ip", sa.String(64)),
        sa.Column("known_ips", ARRAY(sa.String(64)), nullable=False),
        sa.CheckConstraint(
            "(kind = 'PERSONAL' AND user_id IS NOT NULL AND organization_id IS NULL)"
            " OR (kind = 'INTEGRATION' AND organization_id IS NOT NULL AND user_id IS NULL)",
            name="ck_api_tokens_owner",
        ),
    )
    op.create_index("ix_api_tokens_user_id_created_at", "api_tokens", ["user_id", "created_at"])
    op.create_index("ix_api_tokens_organization_id_created_at", "api_tokens", ["organization_id", "created_at"])


def downgrade() -> None:
    op.drop_table("api_tokens")
