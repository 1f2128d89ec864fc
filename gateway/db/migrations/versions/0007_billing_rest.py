"""withdrawals, promo codes and redemptions, free credits, expiry notices, contract acceptances;
order promo code; order lines that are not products (discounts, fees)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _org(primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "organization_id",
        UUID(as_uuid=True),
        sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _org(),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("destination", JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_withdrawals_organization_id", "withdrawals", ["organization_id"])
    op.create_table(
        "promo_codes",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("percent_off", sa.Integer),
        sa.Column("amount_off_cents", sa.BigInteger),
        sa.Column("kinds", JSONB, nullable=False, server_default="[]"),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_until", TS, nullable=False),
        sa.Column("max_uses", sa.Integer),
        sa.Column("uses", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "promo_redemptions",
        sa.Column("code", sa.String(40), sa.ForeignKey("promo_codes.code", ondelete="CASCADE"), primary_key=True),
        _org(primary_key=True),
        sa.Column("order_id", UUID(as_uuid=True), sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("redeemed_at", TS, nullable=False),
    )
    op.create_table(
        "free_credits",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _org(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("remaining_cents", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.CheckConstraint("remaining_cents >= 0", name="ck_free_credits_remaining_not_negative"),
    )
    op.create_index("ix_free_credits_organization_id", "free_credits", ["organization_id"])
    op.create_table(
        "expiry_notices",
        sa.Column("product_id", UUID(as_uuid=True), sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("expires_at", TS, primary_key=True),
        sa.Column("days_before", sa.Integer, primary_key=True),
        sa.Column("sent_at", TS, nullable=False),
    )
    op.create_table(
        "contract_acceptances",
        _org(primary_key=True),
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("accepted_by_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("accepted_at", TS, nullable=False),
    )
    op.add_column("orders", sa.Column("promo_code", sa.String(40)))
    op.alter_column("order_lines", "sku", nullable=True)
    op.alter_column("order_lines", "kind", nullable=True)


def downgrade() -> None:
    op.alter_column("order_lines", "kind", nullable=False)
    op.alter_column("order_lines", "sku", nullable=False)
    op.drop_column("orders", "promo_code")
    tables = ("contract_acceptances", "expiry_notices", "free_credits", "promo_redemptions", "promo_codes")
    tables += ("withdrawals",)
    for table in tables:
        op.drop_table(table)
