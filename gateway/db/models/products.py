from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, uuid_pk

FINAL_STATUSES = ("CANCELLED", "EXPIRED")


class Product(Base):
    """A service an organization owns: a domain, a hosting plan, a mailbox, a certificate, a server…"""

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_organization_id_created_at_id", "organization_id", "created_at", "id"),
        Index("ix_products_organization_id_name_id", "organization_id", text("lower(name)"), "id"),
        Index("ix_products_organization_id_expires_at_id", "organization_id", "expires_at", "id"),
        Index("ix_products_parent_id", "parent_id"),
        Index("ix_products_name_trigrams", "name_trigrams", postgresql_using="gin"),
        # One live product per domain name, across every organization.
        Index(
            "uq_products_domain_name",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("kind = 'DOMAIN' AND status NOT IN ('CANCELLED', 'EXPIRED')"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(253))
    # Trigrams of the lower-cased name, for indexed substring search on any PostgreSQL.
    name_trigrams: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    status: Mapped[str] = mapped_column(String(16))
    catalog_sku: Mapped[str] = mapped_column(ForeignKey("catalog_items.sku"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    order_id: Mapped[uuid.UUID | None]
    term_months: Mapped[int]
    auto_renew: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    registrant: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    verification_status: Mapped[str | None] = mapped_column(String(16))
    verification_deadline: Mapped[datetime | None]
    suspended_reason: Mapped[str | None] = mapped_column(String(32))
    cancellation_requested_at: Mapped[datetime | None]
    cancellation_effective_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class IpUnblock(Base):
    __tablename__ = "ip_unblocks"
    __table_args__ = (Index("ix_ip_unblocks_product_id_created_at", "product_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    ip: Mapped[str] = mapped_column(String(64))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class DomainVerification(Base):
    """A registrant-email verification link (ICANN data verification for gTLDs)."""

    __tablename__ = "domain_verifications"

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ProductTransfer(Base):
    """A hand-off of a product (and its add-ons) from its organization to another, waiting for the receiver.

    `organization_id` is the giving organization (the tenant column); the receiving side decides.
    """

    __tablename__ = "product_transfers"
    __table_args__ = (
        Index("ix_product_transfers_organization_id_created_at", "organization_id", "created_at"),
        Index("ix_product_transfers_to_organization_id_created_at", "to_organization_id", "created_at"),
        # One open hand-off per product: two requests racing for one product cannot both be stored.
        Index(
            "uq_product_transfers_product_id_pending",
            "product_id",
            unique=True,
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    to_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    # The add-ons that move with it, fixed when asked: the receiver accepts exactly what the giver saw.
    addon_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), default=list)
    status: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
