from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, uuid_pk


class BillingAddress(Base):
    __tablename__ = "billing_addresses"
    __table_args__ = (Index("ix_billing_addresses_organization_id", "organization_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    street: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(120))
    province: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    vat_number: Mapped[str | None] = mapped_column(String(32))
    tax_code: Mapped[str | None] = mapped_column(String(32))
    # Italian e-invoicing: the recipient's SDI code or certified mail (PEC).
    sdi_code: Mapped[str | None] = mapped_column(String(7))
    pec: Mapped[str | None] = mapped_column(String(254))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class PrepaidAccount(Base):
    """The balance is the sum of the ledger; both change in one transaction, the balance never below zero."""

    __tablename__ = "prepaid_accounts"
    __table_args__ = (CheckConstraint("balance_cents >= 0", name="balance_not_negative"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class PrepaidEntry(Base):
    """One movement of the prepaid account. Append-only."""

    __tablename__ = "prepaid_entries"
    __table_args__ = (Index("ix_prepaid_entries_organization_id_seq", "organization_id", "seq"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # TOP_UP, PAYMENT, REFUND, FREE_CREDIT, WITHDRAWAL
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # signed: + in, - out
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(300))  # Italian, as written
    description_text: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # its template (gateway.i18n.stored)
    order_id: Mapped[uuid.UUID | None]
    payment_id: Mapped[uuid.UUID | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_organization_id_created_at", "organization_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # ORDER, TOP_UP
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # SUCCEEDED, DECLINED, FAILED, PENDING, CANCELLED
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    failure: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class IdempotencyKey(Base):
    """A paying request's key: its request hash, then its answer. Kept 24 h at least."""

    __tablename__ = "idempotency_keys"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class InvoiceCounter(Base):
    """Per calendar year: the last invoice number used. Its row lock makes numbers gapless."""

    __tablename__ = "invoice_counters"

    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_organization_id_issued_at_id", "organization_id", "issued_at", "id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), unique=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # PAID
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_cents: Mapped[int] = mapped_column(BigInteger)
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    vat_note: Mapped[str | None] = mapped_column(String(200))
    billing_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    payment_method: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]


class Withdrawal(Base):
    """A request to pay the prepaid balance back out; the money leaves the balance when requested."""

    __tablename__ = "withdrawals"
    __table_args__ = (Index("ix_withdrawals_organization_id", "organization_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    destination: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16))  # REQUESTED, PAID_OUT
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class PromoCode(Base):
    __tablename__ = "promo_codes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    description: Mapped[str] = mapped_column(String(300))
    percent_off: Mapped[int | None]
    amount_off_cents: Mapped[int | None] = mapped_column(BigInteger)
    kinds: Mapped[list[str]] = mapped_column(JSONB, default=list)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)


class PromoRedemption(Base):
    """One use per organization: the primary key says so."""

    __tablename__ = "promo_redemptions"

    code: Mapped[str] = mapped_column(ForeignKey("promo_codes.code", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    redeemed_at: Mapped[datetime]


class FreeCredit(Base):
    """Credit staff grant for one kind of product, spent at checkout on lines of that kind."""

    __tablename__ = "free_credits"
    __table_args__ = (
        Index("ix_free_credits_organization_id", "organization_id"),
        CheckConstraint("remaining_cents >= 0", name="remaining_not_negative"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    remaining_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(300))
    granted_at: Mapped[datetime]


class ExpiryNotice(Base):
    """That the notice N days before a product's expiry went out: each is sent once."""

    __tablename__ = "expiry_notices"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(primary_key=True)
    days_before: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime]


class ContractAcceptance(Base):
    __tablename__ = "contract_acceptances"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime]
