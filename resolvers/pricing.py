"""VAT on orders: the rate comes from data (vat_rates), the rule for who pays it from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.catalog_sync import load as load_catalog
from gateway.db.models import VatRate
from resolvers import legal
from resolvers.vies import ViesCheck

HOME_COUNTRY = "IT"
EU = frozenset(load_catalog()["eu_countries"])


REVERSE_CHARGE = "Inversione contabile / reverse charge (art. 7-ter DPR 633/72)"
OUT_OF_SCOPE = "Operazione non imponibile / outside the scope of EU VAT"


@dataclass(frozen=True, slots=True)
class VatTreatment:
    rate_basis_points: int
    note: str | None = None


def percent(basis_points: int) -> str:
    """2550 -> "25,5%": for notes, without floats."""
    whole, part = divmod(basis_points, 100)
    return f"{whole},{part:02d}".rstrip("0").rstrip(",") + "%"


async def vat_for(session: AsyncSession, customer: Mapping[str, Any], category: str, vies: ViesCheck) -> VatTreatment:
    """Who pays which VAT on electronically supplied services, from the billing address (`customer`,
    as invoices.snapshot builds it):
    - Italy: Italian VAT;
    - another EU member state, with a VAT number of that state that is well formed (python-stdnum)
      and registered (VIES): reverse charge, 0% with its note;
    - another EU member state otherwise (consumers, and numbers not confirmed): that state's rate
      (One-Stop-Shop);
    - outside the EU: the local rate where we are registered for VAT (a country in vat_rates, e.g. CH),
      otherwise no VAT, with the out-of-scope note."""
    country = (customer.get("country") or HOME_COUNTRY).upper()
    rates = {
        r.country: r.rate_basis_points
        for r in (await session.execute(select(VatRate).where(VatRate.category == category))).scalars()
    }
    if country == HOME_COUNTRY:
        return VatTreatment(rates[HOME_COUNTRY])
    if country in EU:
        number = legal.eu_vat_number(customer.get("vatNumber") or "", country)
        if number is not None and await vies.registered(number) is True:
            return VatTreatment(0, REVERSE_CHARGE)
        rate = rates[country]
        return VatTreatment(rate, f"IVA {country} {percent(rate)} (regime OSS, art. 74-sexies DPR 633/72)")
    if country in rates:
        return VatTreatment(rates[country])
    return VatTreatment(0, OUT_OF_SCOPE)


def plain_amount(cents: int, currency: str = "EUR") -> str:
    """1234 -> "12.34 EUR", from integer cents (no float rounding)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d} {currency}"


def vat_cents(net_cents: int, rate_basis_points: int) -> int:
    """VAT of one line in integer cents, rounded half up (away from zero for the discounts' negative
    lines, which callers compute on the absolute value). Totals are sums of lines, so lines add up."""
    return (net_cents * rate_basis_points + 5_000) // 10_000
