from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from gateway.i18n import translate
from permissions.fields import inherited, requires
from permissions.rights import Right
from resolvers import proforma
from resolvers.domains import display_name
from resolvers.proforma import Document
from schema.billing import BillingSnapshot
from schema.catalog import Money
from schema.common import Info, decode_id, organization_argument
from schema.errors import user_error
from schema.payloads import payload

CreateProformaError = user_error(
    "CreateProforma", ("NOTHING_TO_BILL", "TOO_MANY_ITEMS", "NOT_FOUND", "ORDER_NOT_PENDING", "NOT_RENEWABLE")
)


@strawberry.type
class ProformaLine:
    description: str = inherited()
    net: Money = inherited()
    vat_rate_basis_points: int = inherited(description="2200 is 22%.")
    vat: Money = inherited()
    total: Money = inherited()


@strawberry.type(
    description="What orders waiting for payment and product renewals would cost. Not an invoice: not stored, "
    "and it uses no invoice number."
)
class Proforma:
    number: str = inherited(description="e.g. PF-2026-1A2B3C4D.")
    notice: str = inherited(description="That the document has no fiscal value, as printed on it.")
    issued_at: datetime = inherited()
    subtotal: Money = inherited()
    vat: Money = inherited()
    total: Money = inherited()
    vat_note: str | None = inherited()
    billing_address: BillingSnapshot = inherited(description="Who the invoice would be made out to.")
    lines: list[ProformaLine] = inherited()
    pdf_url: str = inherited(
        description="A signed link, valid one hour, for members holding VIEW_BILLING (cookie or bearer)."
    )
    pdf_url_expires_at: datetime = inherited()

    @classmethod
    def of(cls, document: Document, language: str) -> Self:
        currency = document.currency
        return cls(
            number=document.number,
            notice=translate(proforma.NOTICE, language),
            issued_at=document.inputs.issued_at,
            subtotal=Money.of(document.subtotal_cents, currency),
            vat=Money.of(document.vat_cents, currency),
            total=Money.of(document.total_cents, currency),
            vat_note=document.vat_note,
            billing_address=BillingSnapshot.from_data(document.customer),
            lines=[
                ProformaLine(
                    description=display_name(line.description.render(language)),
                    net=Money.of(line.net_cents, currency),
                    vat_rate_basis_points=line.vat_rate_basis_points,
                    vat=Money.of(line.vat_cents, currency),
                    total=Money.of(line.total_cents, currency),
                )
                for line in document.lines
            ],
            pdf_url=f"/proforma/{document.token}.pdf",
            pdf_url_expires_at=document.inputs.expires_at,
        )


@strawberry.input
class CreateProformaInput:
    organization_id: relay.GlobalID
    order_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Orders of the organization waiting for payment."
    )
    product_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="Products to renew (needs VIEW_PRODUCTS and the product in scope): for their current term "
        "when the catalog still offers it, otherwise 12 months, at today's catalog price.",
    )


@strawberry.type
class CreateProformaPayload:
    proforma: Proforma | None
    user_errors: list[CreateProformaError[0]]  # type: ignore[valid-type]


@strawberry.type
class ProformaMutation:
    @strawberry.mutation(
        extensions=[requires(Right.VIEW_BILLING, organization_argument("input.organization_id"))],
        description="A pro-forma for orders waiting for payment and/or product renewals, with a PDF link.",
    )
    async def create_proforma(self, info: Info, input: CreateProformaInput) -> CreateProformaPayload | None:
        organization_id: uuid.UUID = decode_id(input.organization_id, "Organization")  # type: ignore[assignment]
        outcome = await proforma.create(
            info.context,
            organization_id,
            [decode_id(i, "Order") for i in input.order_ids or ()],
            [decode_id(i, "Product") for i in input.product_ids or ()],
        )
        return await payload(
            info,
            CreateProformaPayload,
            CreateProformaError,
            outcome,
            proforma=lambda d: Proforma.of(d, info.context.language),
        )
