from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base


class CatalogItem(Base):
    """What can be bought. Loaded from gateway/db/data/catalog.json by `gateway migrate`."""

    __tablename__ = "catalog_items"

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    tld: Mapped[str | None] = mapped_column(String(32))
    requires_verification: Mapped[bool] = mapped_column(default=False)
    currency: Mapped[str] = mapped_column(String(3))
    vat_category: Mapped[str] = mapped_column(String(16))
    addon_for: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    active: Mapped[bool] = mapped_column(default=True)


class CatalogPrice(Base):
    __tablename__ = "catalog_prices"

    sku: Mapped[str] = mapped_column(ForeignKey("catalog_items.sku", ondelete="CASCADE"), primary_key=True)
    period_months: Mapped[int] = mapped_column(primary_key=True)
    price_cents: Mapped[int]


class VatRate(Base):
    __tablename__ = "vat_rates"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate_basis_points: Mapped[int]
