"""Brings the catalog tables in line with gateway/db/data/catalog.json (run by `gateway migrate`).

The catalog is data: prices and offers change by editing the file, not the code.
Items dropped from the file stay in the table (products refer to them) but are no longer sold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.models import CatalogItem, CatalogPrice, VatRate

CATALOG = Path(__file__).resolve().parent / "data" / "catalog.json"


def load() -> dict[str, Any]:
    return json.loads(CATALOG.read_text())


async def sync(conn: AsyncConnection) -> None:
    """In the caller's transaction (the migration's, under its lock)."""
    data = load()
    skus = [item["sku"] for item in data["items"]]
    for item in data["items"]:
        values = {
            "kind": item["kind"],
            "name": item["name"],
            "description": item["description"],
            "tld": item["tld"],
            "requires_verification": item["requires_verification"],
            "currency": data["currency"],
            "vat_category": item["vat_category"],
            "addon_for": item["addon_for"],
            "active": True,
        }
        await conn.execute(
            insert(CatalogItem)
            .values(sku=item["sku"], **values)
            .on_conflict_do_update(index_elements=[CatalogItem.sku], set_=values)
        )
        await conn.execute(delete(CatalogPrice).where(CatalogPrice.sku == item["sku"]))
        await conn.execute(
            insert(CatalogPrice),
            [
                {"sku": item["sku"], "period_months": p["months"], "price_cents": p["price_cents"]}
                for p in item["periods"]
            ],
        )
    await conn.execute(update(CatalogItem).where(CatalogItem.sku.not_in(skus)).values(active=False))
    await conn.execute(delete(VatRate))
    await conn.execute(
        insert(VatRate),
        [
            {"country": r["country"], "category": r["category"], "rate_basis_points": r["rate_basis_points"]}
            for r in data["vat_rates"]
        ],
    )
