from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import BigInteger, Text, case, cast, func, literal, null, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from strawberry import relay

from gateway.db.models import Invoice as InvoiceRow
from gateway.db.models import PrepaidAccount as PrepaidAccountRow
from gateway.i18n import described, translate
from permissions.caller import Caller
from permissions.fields import INHERITED, inherited, null_without
from permissions.rights import Right
from resolvers.domains import display_name
from resolvers.loaders.billing import InvoicesPageLoader
from resolvers.loaders.pages import PageKey
from schema import sql_json
from schema.catalog import Money
from schema.common import Connection, Info, check_page, counted
from schema.sql_source import Json, Nested, NodeId, Rows, Scalar, SqlType, request_language, sql_type

if TYPE_CHECKING:
    from schema.orders import Order


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
    wording: strawberry.Private[str]
    kept: strawberry.Private[dict[str, Any] | None]
    net: Money = inherited()
    vat_rate_basis_points: int = inherited(description="2200 is 22%.")
    vat: Money = inherited()
    total: Money = inherited()

    @strawberry.field(
        directives=[INHERITED],
        description="In the reader's language: Italian as issued (the invoice's legal text), else translated.",
    )
    def description(self, info: Info) -> str:
        return display_name(described(self.wording, self.kept, info.context.language))


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
                    wording=line["description"],
                    kept=line.get("descriptionText"),
                    net=Money.of(line["netCents"], currency),
                    vat_rate_basis_points=line["vatRateBasisPoints"],
                    vat=Money.of(line["vatCents"], currency),
                    total=Money.of(line["totalCents"], currency),
                )
                for line in row.lines
            ],
            pdf_url=f"/invoices/{row.id}.pdf",
        )


@strawberry.enum
class PaymentPurpose(Enum):
    ORDER = "ORDER"
    TOP_UP = "TOP_UP"


@strawberry.type(
    description="An attempt to move money: for an order, or to top up the prepaid account. "
    'Its status is the "stato del pagamento" customers check: PENDING (e.g. a bank transfer not yet arrived), '
    "SUCCEEDED (settled), DECLINED or FAILED."
)
class Payment(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    order_id: strawberry.Private[uuid.UUID | None]
    invoice_id: strawberry.Private[uuid.UUID | None]
    purpose: PaymentPurpose = inherited()
    method: PaymentMethod = inherited()
    status: PaymentStatus = inherited()
    amount: Money = inherited()
    reason: strawberry.Private[str | None]
    created_at: datetime = inherited()
    settled_at: datetime | None = inherited(description="When the money arrived; null unless SUCCEEDED.")

    @strawberry.field(directives=[INHERITED], description="Why it was declined or failed, in the reader's language.")
    def failure(self, info: Info) -> str | None:
        # Stored as its English template; one from before templates (or a provider's own words) reads as written.
        return translate(self.reason, info.context.language) if self.reason else None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            order_id=row.order_id,
            invoice_id=row.invoice_id,
            purpose=PaymentPurpose(row.purpose),
            method=PaymentMethod(row.method),
            status=PaymentStatus(row.status),
            amount=Money.of(row.amount_cents, row.currency),
            reason=row.failure,
            created_at=row.created_at,
            settled_at=row.settled_at,
        )

    @strawberry.field(directives=[INHERITED], description="The order paid for; null for a top-up.")
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.orders")] | None:
        from schema.orders import Order

        row = await info.context.loaders.order_by_id.load(self.order_id) if self.order_id else None
        return Order.from_row(row) if row else None

    @strawberry.field(
        extensions=[null_without(Right.VIEW_BILLING)],
        description="The invoice the payment settled; null until then, and for callers without VIEW_BILLING.",
    )
    async def invoice(self, info: Info) -> Invoice | None:
        row = await info.context.loaders.invoice_by_id.load(self.invoice_id) if self.invoice_id else None
        return Invoice.from_row(row) if row else None


@strawberry.type(description="A request to pay prepaid money back out; staff carry it out.")
class Withdrawal(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    amount: Money = inherited()
    status: str = inherited(description="REQUESTED until paid out.")
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            amount=Money.of(row.amount_cents, row.currency),
            status=row.status,
            created_at=row.created_at,
        )


@strawberry.type
class PrepaidEntry:
    kind: str = inherited(description="TOP_UP, PAYMENT, REFUND, FREE_CREDIT or WITHDRAWAL.")
    amount: Money = inherited(description="Positive in, negative out.")
    balance_after: Money = inherited()
    created_at: datetime = inherited()
    wording: strawberry.Private[str]
    kept: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(directives=[INHERITED], description="In the reader's language.")
    def description(self, info: Info) -> str:
        return described(self.wording, self.kept, info.context.language)

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            kind=row.kind,
            amount=Money.of(row.amount_cents, "EUR"),
            balance_after=Money.of(row.balance_after_cents, "EUR"),
            wording=row.description,
            kept=row.description_text,
            created_at=row.created_at,
        )


@strawberry.type(description="Money paid in advance, spent on orders and renewals.")
class PrepaidAccount:
    organization_id: strawberry.Private[uuid.UUID]
    balance: Money = inherited()

    @strawberry.field(directives=[INHERITED], description="Newest first.")
    async def entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PrepaidEntry]:
        loader = info.context.loaders.prepaid_entries_page
        page = await loader.load(PageKey(self.organization_id, check_page(info, first, after, last, before)))
        return Connection.of(page, PrepaidEntry.from_row, counted(loader, self.organization_id))


def _line_rows(caller: Caller, parent: Any) -> Any:
    line = (
        func.jsonb_array_elements(parent.lines)
        .table_valued("value", with_ordinality="position")
        .render_derived(name="line")
    )
    value = type_coerce(line.c.value, JSONB)
    cents = {name: cast(value[key].astext, BigInteger) for name, key in LINE_AMOUNTS.items()}
    return select(
        *(value.label(name) for name, value in cents.items()),
        cast(value["vatRateBasisPoints"].astext, BigInteger).label("vat_rate_basis_points"),
        value["description"].astext.label("wording"),
        value["descriptionText"].label("kept"),
        parent.currency.label("currency"),
        line.c.position.label("position"),
    ).select_from(line)


LINE_AMOUNTS = {"net_cents": "netCents", "vat_cents": "vatCents", "total_cents": "totalCents"}


def _line_description(c: Any) -> Any:
    """Italian readers (and every reader of a line kept without a template) read the wording as issued; the
    others' translation is Python's (gateway.i18n), and so is an internationalised domain name in it."""
    as_issued = (request_language() == "it") | c.kept.is_(None) | (c.kept == cast("null", JSONB))
    plain = ~c.wording.contains("xn--")
    return case((as_issued & plain, sql_json.string(c.wording)), else_=null())


def _invoice_rows(caller: Caller, parent: Any, values: Any) -> Any:
    invoices = InvoicesPageLoader.of(caller).query((None, None))
    return invoices.where(InvoiceRow.organization_id == parent.id)


def _prepaid_row(caller: Caller, parent: Any) -> Any:
    balance = select(PrepaidAccountRow.balance_cents).where(PrepaidAccountRow.organization_id == parent.id)
    return select(balance.scalar_subquery().label("balance_cents"), literal("EUR").label("currency"))


def _pdf_url(c: Any) -> Any:
    return sql_json.concat(sql_json.constant('"/invoices/'), cast(c.id, Text), sql_json.constant('.pdf"'))


# The compiled read path's sources (schema/sql_source.py): an invoice row (`InvoicesPageLoader`), the lines of
# its `lines` JSON, an organization's prepaid balance.
sql_type(
    "InvoiceLine",
    SqlType(
        fields={
            "net": Nested("Money", {"amount_cents": "net_cents"}),
            "vatRateBasisPoints": Scalar("vat_rate_basis_points", "int"),
            "vat": Nested("Money", {"amount_cents": "vat_cents"}),
            "total": Nested("Money", {"amount_cents": "total_cents"}),
            "description": Json(_line_description),
        }
    ),
)
sql_type(
    "Invoice",
    SqlType(
        organization="organization_id",
        fields={
            "id": NodeId("Invoice"),
            "number": Scalar("number"),
            "status": Scalar("status", "enum"),
            "issuedAt": Scalar("issued_at", "datetime"),
            "subtotal": Nested("Money", {"amount_cents": "subtotal_cents"}),
            "vat": Nested("Money", {"amount_cents": "vat_cents"}),
            "total": Nested("Money", {"amount_cents": "total_cents"}),
            "vatNote": Scalar("vat_note"),
            "paymentMethod": Scalar("payment_method", "enum"),
            "pdfUrl": Json(_pdf_url),
            "lines": Rows("InvoiceLine", _line_rows, lambda c: [c.position]),
        },
    ),
)
sql_type("PrepaidAccount", SqlType(fields={"balance": Nested("Money", {"amount_cents": "balance_cents"})}))
