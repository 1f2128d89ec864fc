"""billing: addresses, prepaid account and ledger, payments, idempotency keys, invoices

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _org() -> sa.Column:
    return sa.Column(
        "organization_id", UUID(as_uuid=True), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


def _user(name: str) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="SET NULL"))


def upgrade() -> None:
    op.create_table(
        "billing_addresses",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _org(),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("street", sa.String(300), nullable=False),
        sa.Column("postal_code", sa.String(16), nullable=False),
        sa.Column("city", sa.String(120), nullable=False),
        sa.Column("province", sa.String(64)),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("vat_number", sa.String(32)),
        sa.Column("tax_code", sa.String(32)),
        sa.Column("sdi_code", sa.String(7)),
        sa.Column("pec", sa.String(254)),
        sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("removed_at", TS),
    )
    op.create_index("ix_billing_addresses_organization_id", "billing_addresses", ["organization_id"])
    op.add_column(
        "orders",
        sa.Column("billing_address_id", UUID(as_uuid=True), sa.ForeignKey("billing_addresses.id", ondelete="SET NULL")),
    )
    op.add_column("orders", sa.Column("due_at", TS))

    op.create_table(
        "prepaid_accounts",
        sa.Column(
            "organization_id",
            UUID(as_uuid=True),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance_cents", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("balance_cents >= 0", name="ck_prepaid_accounts_balance_not_negative"),
    )
    op.create_table(
        "prepaid_entries",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        _org(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("balance_after_cents", sa.BigInteger, nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("order_id", UUID(as_uuid=True)),
        sa.Column("payment_id", UUID(as_uuid=True)),
        _user("created_by_id"),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_prepaid_entries_organization_id_seq", "prepaid_entries", ["organization_id", "seq"])

    op.create_table(
        "payments",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _org(),
        sa.Column("order_id", UUID(as_uuid=True), sa.ForeignKey("orders.id", ondelete="SET NULL")),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("provider_reference", sa.String(100)),
        sa.Column("failure", sa.String(300)),
        _user("created_by_id"),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_payments_organization_id_created_at", "payments", ["organization_id", "created_at"])
    op.create_index("ix_payments_order_id", "payments", ["order_id"])

    op.create_table(
        "idempotency_keys",
        sa.Column(
            "organization_id",
            UUID(as_uuid=True),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", JSONB),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )

    op.create_table(
        "invoice_counters",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "invoices",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _org(),
        sa.Column("order_id", UUID(as_uuid=True), sa.ForeignKey("orders.id", ondelete="SET NULL"), unique=True),
        sa.Column("number", sa.String(16), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal_cents", sa.BigInteger, nullable=False),
        sa.Column("vat_cents", sa.BigInteger, nullable=False),
        sa.Column("total_cents", sa.BigInteger, nullable=False),
        sa.Column("vat_note", sa.String(200)),
        sa.Column("billing_snapshot", JSONB, nullable=False),
        sa.Column("lines", JSONB, nullable=False),
        sa.Column("payment_method", sa.String(16), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
    )
    op.create_index("ix_invoices_organization_id_issued_at_id", "invoices", ["organization_id", "issued_at", "id"])


def downgrade() -> None:
    for table in (
        "invoices",
        "invoice_counters",
        "idempotency_keys",
        "payments",
        "prepaid_entries",
        "prepaid_accounts",
    ):
        op.drop_table(table)
    op.drop_column("orders", "due_at")
    op.drop_column("orders", "billing_address_id")
    op.drop_table("billing_addresses")
