"""VAT on orders: the rate comes from data (vat_rates), the rule for who pays it from here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.catalog_sync import load as load_catalog
from gateway.db.models import Organization, VatRate

HOME_COUNTRY = "IT"
EU = frozenset(load_catalog()["eu_countries"])


@dataclass(frozen=True, slots=True)
class VatTreatment:
    rate_basis_points: int
    note: str | None = None


async def vat_for(session: AsyncSession, organization: Organization, category: str) -> VatTreatment:
    """Italian VAT at home; reverse charge for EU businesses with a VAT number; the local rate where we
    are registered (e.g. CH); otherwise none (outside the EU)."""
    country = organization.country
    if country != HOME_COUNTRY and country in EU and organization.vat_number:
        return VatTreatment(0, "Inversione contabile / reverse charge (art. 7-ter DPR 633/72)")
    rates = {
        r.country: r.rate_basis_points
        for r in (await session.execute(select(VatRate).where(VatRate.category == category))).scalars()
    }
    if country in rates:
        return VatTreatment(rates[country])
    if country in EU:
        return VatTreatment(rates[HOME_COUNTRY])
    return VatTreatment(0, "Operazione non imponibile / outside the scope of EU VAT")


def vat_cents(net_cents: int, rate_basis_points: int) -> int:
    """VAT of one line, rounded half up to the cent."""
    return (net_cents * rate_basis_points + 5_000) // 10_000
