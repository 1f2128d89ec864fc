"""catalog, VAT rates, products, orders, IP unblocks, domain verifications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def _fk(name: str, table: str, *, nullable: bool = False, ondelete: str | None = "CASCADE") -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "catalog_items",
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("tld", sa.String(32)),
        sa.Column("requires_verification", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("vat_category", sa.String(16), nullable=False),
        sa.Column("addon_for", ARRAY(sa.String(32)), nullable=False, server_default="{}"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "catalog_prices",
        sa.Column("sku", sa.String(64), sa.ForeignKey("catalog_items.sku", ondelete="CASCADE"), primary_key=True),
        sa.Column("period_months", sa.Integer, primary_key=True),
        sa.Column("price_cents", sa.Integer, nullable=False),
    )
    op.create_table(
        "vat_rates",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("rate_basis_points", sa.Integer, nullable=False),
    )
    op.create_table(
        "products",
        _id(),
        _fk("organization_id", "organizations"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("name_trigrams", ARRAY(sa.String(3)), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("catalog_sku", sa.String(64), sa.ForeignKey("catalog_items.sku"), nullable=False),
        _fk("parent_id", "products", nullable=True, ondelete="SET NULL"),
        sa.Column("order_id", UUID(as_uuid=True)),
        sa.Column("term_months", sa.Integer, nullable=False),
        sa.Column("auto_renew", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("settings", JSONB, nullable=False, server_default="{}"),
        sa.Column("registrant", JSONB),
        sa.Column("verification_status", sa.String(16)),
        sa.Column("verification_deadline", TS),
        sa.Column("suspended_reason", sa.String(32)),
        sa.Column("cancellation_requested_at", TS),
        sa.Column("cancellation_effective_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("activated_at", TS),
        sa.Column("expires_at", TS),
    )
    op.create_index("ix_products_organization_id_created_at_id", "products", ["organization_id", "created_at", "id"])
    op.create_index(
        "ix_products_organization_id_name_id", "products", ["organization_id", sa.text("lower(name)"), "id"]
    )
    op.create_index("ix_products_organization_id_expires_at_id", "products", ["organization_id", "expires_at", "id"])
    op.create_index("ix_products_parent_id", "products", ["parent_id"])
    op.create_index("ix_products_name_trigrams", "products", ["name_trigrams"], postgresql_using="gin")
    op.create_index(
        "uq_products_domain_name",
        "products",
        [sa.text("lower(name)")],
        unique=True,
        postgresql_where=sa.text("kind = 'DOMAIN' AND status NOT IN ('CANCELLED', 'EXPIRED')"),
    )

    op.create_table(
        "orders",
        _id(),
        _fk("organization_id", "organizations"),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal_cents", sa.Integer, nullable=False),
        sa.Column("vat_cents", sa.Integer, nullable=False),
        sa.Column("total_cents", sa.Integer, nullable=False),
        sa.Column("vat_rate_basis_points", sa.Integer, nullable=False),
        sa.Column("vat_note", sa.String(200)),
        _fk("placed_by_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("paid_at", TS),
        sa.Column("cancelled_at", TS),
    )
    op.create_index("ix_orders_organization_id_created_at_id", "orders", ["organization_id", "created_at", "id"])
    op.execute("CREATE SEQUENCE order_number_seq")

    op.create_table(
        "order_lines",
        _id(),
        _fk("order_id", "orders"),
        _fk("organization_id", "organizations"),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("sku", sa.String(64), sa.ForeignKey("catalog_items.sku"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("period_months", sa.Integer, nullable=False),
        sa.Column("domain_name", sa.String(253)),
        _fk("product_id", "products", nullable=True, ondelete="SET NULL"),
        _fk("parent_product_id", "products", nullable=True, ondelete="SET NULL"),
        sa.Column("unit_price_cents", sa.Integer, nullable=False),
        sa.Column("vat_cents", sa.Integer, nullable=False),
        sa.Column("total_cents", sa.Integer, nullable=False),
    )
    op.create_index("ix_order_lines_order_id_position", "order_lines", ["order_id", "position"])
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])

    op.create_table(
        "ip_unblocks",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("product_id", "products"),
        sa.Column("ip", sa.String(64), nullable=False),
        _fk("requested_by_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_ip_unblocks_product_id_created_at", "ip_unblocks", ["product_id", "created_at"])

    op.create_table(
        "domain_verifications",
        _id(),
        _fk("organization_id", "organizations"),
        _fk("product_id", "products"),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("used_at", TS),
    )
    op.create_index("ix_domain_verifications_product_id", "domain_verifications", ["product_id"])


def downgrade() -> None:
    for table in ("domain_verifications", "ip_unblocks", "order_lines"):
        op.drop_table(table)
    op.execute("DROP SEQUENCE order_number_seq")
    for table in ("orders", "products", "vat_rates", "catalog_prices", "catalog_items"):
        op.drop_table(table)
