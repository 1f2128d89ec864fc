from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry import relay

from permissions.fields import INHERITED, inherited
from resolvers.loaders.pages import PageKey
from schema.catalog import Money
from schema.common import Connection, Info, check_page, encode_id

if TYPE_CHECKING:
    from collections.abc import Iterable


@strawberry.enum
class InvoiceStatus(Enum):
    PAID = "PAID"


@strawberry.enum
class PaymentMethod(Enum):
    PREPAID = "PREPAID"
    CARD = "CARD"
    PAYPAL = "PAYPAL"
    BANK_TRANSFER = "BANK_TRANSFER"
    MANUAL = "MANUAL"


@strawberry.enum
class PaymentStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"
    PENDING = "PENDING"
    CANCELLED = "CANCELLED"


@strawberry.type(description="Who an invoice is made out to, as it was when issued.")
class BillingSnapshot:
    name: str | None = inherited()
    street: str | None = inherited()
    postal_code: str | None = inherited()
    city: str | None = inherited()
    province: str | None = inherited()
    country: str | None = inherited()
    vat_number: str | None = inherited()
    tax_code: str | None = inherited()
    sdi_code: str | None = inherited()
    pec: str | None = inherited()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        return cls(
            name=data.get("name"),
            street=data.get("street"),
            postal_code=data.get("postalCode"),
            city=data.get("city"),
            province=data.get("province"),
            country=data.get("country"),
            vat_number=data.get("vatNumber"),
            tax_code=data.get("taxCode"),
            sdi_code=data.get("sdiCode"),
            pec=data.get("pec"),
        )


@strawberry.type
class InvoiceLine:
    description: str = inherited()
    net: Money = inherited()
    vat_rate_basis_points: int = inherited(description="2200 is 22%.")
    vat: Money = inherited()
    total: Money = inherited()


@strawberry.type(description="A tax invoice, issued when an order is paid. Numbers run without gaps each year.")
class Invoice(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    number: str = inherited(description="e.g. 2026/000123")
    status: InvoiceStatus = inherited()
    issued_at: datetime = inherited()
    subtotal: Money = inherited()
    vat: Money = inherited()
    total: Money = inherited()
    vat_note: str | None = inherited()
    payment_method: PaymentMethod = inherited()
    billing_address: BillingSnapshot = inherited()
    lines: list[InvoiceLine] = inherited()
    pdf_url: str = inherited(description="The PDF, for members holding VIEW_BILLING (cookie or bearer).")

    @classmethod
    def from_row(cls, row: Any) -> Self:
        currency = row.currency
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            number=row.number,
            status=InvoiceStatus(row.status),
            issued_at=row.issued_at,
            subtotal=Money.of(row.subtotal_cents, currency),
            vat=Money.of(row.vat_cents, currency),
            total=Money.of(row.total_cents, currency),
            vat_note=row.vat_note,
            payment_method=PaymentMethod(row.payment_method),
            billing_address=BillingSnapshot.from_data(row.billing_snapshot),
            lines=[
                InvoiceLine(
                    description=line["description"],
                    net=Money.of(line["netCents"], currency),
                    vat_rate_basis_points=line["vatRateBasisPoints"],
                    vat=Money.of(line["vatCents"], currency),
                    total=Money.of(line["totalCents"], currency),
                )
                for line in row.lines
            ],
            pdf_url=f"/invoices/{row.id}.pdf",
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = [await info.context.loaders.invoice_by_id.load(uuid.UUID(i)) for i in node_ids]
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="An attempt to move money: for an order, or to top up the prepaid account.")
class Payment:
    id: strawberry.ID = inherited()
    method: PaymentMethod = inherited()
    status: PaymentStatus = inherited()
    amount: Money = inherited()
    failure: str | None = inherited()
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=strawberry.ID(encode_id("Payment", row.id)),
            method=PaymentMethod(row.method),
            status=PaymentStatus(row.status),
            amount=Money.of(row.amount_cents, row.currency),
            failure=row.failure,
            created_at=row.created_at,
        )


@strawberry.type
class PrepaidEntry:
    kind: str = inherited(description="TOP_UP, PAYMENT, REFUND, FREE_CREDIT or WITHDRAWAL.")
    amount: Money = inherited(description="Positive in, negative out.")
    balance_after: Money = inherited()
    description: str = inherited()
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            kind=row.kind,
            amount=Money.of(row.amount_cents, "EUR"),
            balance_after=Money.of(row.balance_after_cents, "EUR"),
            description=row.description,
            created_at=row.created_at,
        )


@strawberry.type(description="Money paid in advance, spent on orders and renewals.")
class PrepaidAccount:
    organization_id: strawberry.Private[uuid.UUID]
    balance: Money = inherited()

    @strawberry.field(directives=[INHERITED], description="Newest first.")
    async def entries(self, info: Info, first: int | None = 20, after: str | None = None) -> Connection[PrepaidEntry]:
        key = PageKey(self.organization_id, check_page(info, first), after)
        return Connection.of(await info.context.loaders.prepaid_entries_page.load(key), PrepaidEntry.from_row)
