"""product_transfers: hand-offs of a product to another organization, accepted there; external domains on lines

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(name: str, table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "product_transfers",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _fk("organization_id", "organizations"),
        _fk("to_organization_id", "organizations"),
        _fk("product_id", "products"),
        sa.Column("addon_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _fk("requested_by_id", "users", nullable=True, ondelete="SET NULL"),
        _fk("decided_by_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("decided_at", TS),
    )
    op.create_index(
        "ix_product_transfers_organization_id_created_at", "product_transfers", ["organization_id", "created_at"]
    )
    op.create_index(
        "ix_product_transfers_to_organization_id_created_at",
        "product_transfers",
        ["to_organization_id", "created_at"],
    )
    op.create_index(
        "uq_product_transfers_product_id_pending",
        "product_transfers",
        ["product_id"],
        unique=True,
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.add_column("order_lines", sa.Column("external_domain", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("order_lines", "external_domain")
    op.drop_table("product_transfers")
