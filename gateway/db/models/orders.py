from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, uuid_pk


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_organization_id_created_at_id", "organization_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_cents: Mapped[int]
    vat_cents: Mapped[int]
    total_cents: Mapped[int]
    vat_rate_basis_points: Mapped[int]
    vat_note: Mapped[str | None] = mapped_column(String(200))
    placed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    billing_address_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("billing_addresses.id", ondelete="SET NULL")
    )
    due_at: Mapped[datetime | None]
    promo_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (Index("ix_order_lines_order_id_position", "order_id", "position"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    position: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    # Null on lines that are not a product: DISCOUNT, FEE.
    sku: Mapped[str | None] = mapped_column(ForeignKey("catalog_items.sku"))
    kind: Mapped[str | None] = mapped_column(String(32))
    # The Italian wording as written (what the invoice says); beside it its template and parameters
    # ({"template", "params"}, gateway.i18n.stored) so others read it in their language. Null on older rows.
    description: Mapped[str] = mapped_column(String(300))
    description_text: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    period_months: Mapped[int]
    domain_name: Mapped[str | None] = mapped_column(String(253))
    # The line names a domain that is not a product of any organization here (registered elsewhere).
    external_domain: Mapped[bool] = mapped_column(default=False, server_default=false())
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    parent_product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    unit_price_cents: Mapped[int]
    vat_cents: Mapped[int]
    total_cents: Mapped[int]
    free_credit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("free_credits.id", ondelete="SET NULL"))
