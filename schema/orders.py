from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry import relay

from gateway.i18n import described
from permissions.fields import INHERITED, inherited, requires
from permissions.rights import Right
from resolvers.domains import display_name
from schema.catalog import Money, ProductKind
from schema.common import Info
from schema.products import Product

if TYPE_CHECKING:
    pass


@strawberry.enum
class OrderStatus(Enum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


@strawberry.enum
class OrderLineAction(Enum):
    NEW = "NEW"
    RENEWAL = "RENEWAL"
    DISCOUNT = "DISCOUNT"
    FEE = "FEE"


@strawberry.type
class OrderLine:
    organization_id: strawberry.Private[uuid.UUID]
    product_id: strawberry.Private[uuid.UUID | None]
    wording: strawberry.Private[str]
    kept: strawberry.Private[dict[str, Any] | None]
    sku: str | None = inherited(description="Null on DISCOUNT and FEE lines.")
    kind: ProductKind | None = inherited()
    action: OrderLineAction = inherited()
    period_months: int = inherited()
    domain_name: str | None = inherited(description="In Unicode.")
    domain_name_ascii: str | None = inherited(description="`domainName` in ASCII (xn--), as DNS has it.")
    external_domain: bool = inherited(
        description="True: the domain this line serves is registered elsewhere, not with us; point its DNS here."
    )
    unit_price: Money = inherited(description="For the whole period, before VAT.")
    vat: Money = inherited()
    total: Money = inherited()

    @classmethod
    def from_row(cls, row: Any, currency: str) -> Self:
        return cls(
            organization_id=row.organization_id,
            product_id=row.product_id,
            wording=row.description,
            kept=row.description_text,
            sku=row.sku,
            kind=ProductKind(row.kind) if row.kind else None,
            action=OrderLineAction(row.action),
            period_months=row.period_months,
            domain_name=display_name(row.domain_name) if row.domain_name else None,
            domain_name_ascii=row.domain_name,
            external_domain=row.external_domain,
            unit_price=Money.of(row.unit_price_cents, currency),
            vat=Money.of(row.vat_cents, currency),
            total=Money.of(row.total_cents, currency),
        )

    @strawberry.field(directives=[INHERITED], description="In the reader's language; domains in Unicode.")
    def description(self, info: Info) -> str:
        return display_name(described(self.wording, self.kept, info.context.language))

    @strawberry.field(
        extensions=[requires(Right.VIEW_PRODUCTS)], description="Null when outside the caller's product scope."
    )
    async def product(self, info: Info) -> Product | None:
        row = await info.context.loaders.product_by_id.load(self.product_id) if self.product_id else None
        return Product.from_row(row) if row else None


@strawberry.type(description="What was bought, or renewed, and what it costs.")
class Order(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    currency: strawberry.Private[str]
    number: str = inherited()
    status: OrderStatus = inherited()
    subtotal: Money = inherited()
    vat: Money = inherited()
    total: Money = inherited()
    vat_rate_basis_points: int = inherited(description="2200 is 22%.")
    vat_note: str | None = inherited(
        description="Why a rate other than Italian VAT applies: reverse charge, another member state's rate (OSS), "
        "or outside the scope of EU VAT."
    )
    created_at: datetime = inherited()
    paid_at: datetime | None = inherited()
    cancelled_at: datetime | None = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            currency=row.currency,
            number=row.number,
            status=OrderStatus(row.status),
            subtotal=Money.of(row.subtotal_cents, row.currency),
            vat=Money.of(row.vat_cents, row.currency),
            total=Money.of(row.total_cents, row.currency),
            vat_rate_basis_points=row.vat_rate_basis_points,
            vat_note=row.vat_note,
            created_at=row.created_at,
            paid_at=row.paid_at,
            cancelled_at=row.cancelled_at,
        )

    @strawberry.field(directives=[INHERITED])
    async def lines(self, info: Info) -> list[OrderLine]:
        return [
            OrderLine.from_row(r, self.currency) for r in await info.context.loaders.lines_by_order_id.load(self.id)
        ]
