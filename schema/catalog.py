from __future__ import annotations

from enum import Enum
from typing import Any, Self

import strawberry

from permissions.fields import inherited, public
from resolvers import catalog
from schema.common import Info
from schema.sql_source import Scalar, SqlType, sql_type


@strawberry.enum
class ProductKind(Enum):
    DOMAIN = "DOMAIN"
    HOSTING = "HOSTING"
    WORDPRESS_HOSTING = "WORDPRESS_HOSTING"
    MAIL = "MAIL"
    SSL = "SSL"
    SERVER = "SERVER"
    BACKUP = "BACKUP"
    DNS_ANYCAST = "DNS_ANYCAST"
    DOMAIN_PRIVACY = "DOMAIN_PRIVACY"
    RENEWAL_WARRANTY = "RENEWAL_WARRANTY"


@strawberry.type(description="An amount of money in minor units (cents), with its currency.")
class Money:
    amount_cents: int = inherited()
    currency: str = inherited(description="ISO 4217 code, e.g. EUR.")

    @classmethod
    def of(cls, cents: int, currency: str) -> Money:
        return cls(amount_cents=cents, currency=currency)


@strawberry.type
class CatalogPeriod:
    months: int = inherited()
    price: Money = inherited(description="Before VAT.")


@strawberry.type(description="Something that can be bought, with its prices per period.")
class CatalogItem:
    sku: str = inherited()
    kind: ProductKind = inherited()
    name: str = inherited()
    description: str = inherited()
    tld: str | None = inherited(description="For domain registrations: the extension, without the dot.")
    periods: list[CatalogPeriod] = inherited()
    vat_category: str = inherited()
    is_add_on: bool = inherited()
    add_on_for: list[ProductKind] = inherited(description="The kinds of product this add-on attaches to.")
    requires_verification: bool = inherited(description="gTLD domains: the registrant's email must be verified.")

    @classmethod
    def from_rows(cls, item: Any, prices: list[Any]) -> Self:
        return cls(
            sku=item.sku,
            kind=ProductKind(item.kind),
            name=item.name,
            description=item.description,
            tld=item.tld,
            periods=[
                CatalogPeriod(months=p.period_months, price=Money.of(p.price_cents, item.currency)) for p in prices
            ],
            vat_category=item.vat_category,
            is_add_on=bool(item.addon_for),
            add_on_for=[ProductKind(k) for k in item.addon_for],
            requires_verification=item.requires_verification,
        )


@strawberry.type
class CatalogQuery:
    @strawberry.field(extensions=[public()], description="What can be bought. No login needed.")
    async def catalog(self, info: Info, kind: ProductKind | None = None) -> list[CatalogItem]:
        rows = await catalog.items(info.context, kind.value if kind else None)
        return [CatalogItem.from_rows(item, prices) for item, prices in rows]


# The compiled read path's source (schema/sql_source.py): an amount is two columns of the row it sits in,
# `amount_cents` and `currency`, renamed by the field that holds it (`Nested("Money", {"amount_cents": ...})`).
sql_type("Money", SqlType(fields={"amountCents": Scalar("amount_cents", "int"), "currency": Scalar("currency")}))
