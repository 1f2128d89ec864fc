from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from permissions.fields import requires
from permissions.rights import Right
from resolvers import orders
from resolvers.orders import LineDraft
from resolvers.results import Outcome
from schema.common import Info, decode_id, order_argument, organization_argument, product_argument
from schema.errors import user_error
from schema.orders import Order
from schema.payloads import payload

DOMAIN_CODES = (
    "DOMAIN_REQUIRED",
    "DOMAIN_INVALID",
    "DOMAIN_TOO_LONG",
    "DOMAIN_LABEL_TOO_LONG",
    "TLD_MISMATCH",
    "DOMAIN_UNAVAILABLE",
)
PlaceOrderError = user_error(
    "PlaceOrder",
    (
        "NO_LINES",
        "TOO_MANY_LINES",
        "SKU_UNKNOWN",
        "PERIOD_NOT_OFFERED",
        *DOMAIN_CODES,
        "PARENT_REQUIRED",
        "PARENT_NOT_FOUND",
        "ADDON_WRONG_KIND",
        "DOMAIN_OF_ANOTHER_ORGANIZATION",
        "BILLING_ADDRESS_NOT_FOUND",
        "PROMO_INVALID",
        "PROMO_NOT_APPLICABLE",
        "PROMO_EXHAUSTED",
        "PROMO_ALREADY_USED",
    ),
)
CancelOrderError = user_error("CancelOrder", ("NOT_PENDING",))
RenewProductError = user_error("RenewProduct", ("NOT_RENEWABLE", "RENEWAL_PENDING", "PERIOD_NOT_OFFERED"))


@strawberry.input
class OrderLineInput:
    sku: str
    period_months: int
    domain_name: str | None = strawberry.field(default=None, description="The name to register, for domains.")
    parent_product_id: relay.GlobalID | None = strawberry.field(default=None, description="For add-ons.")


@strawberry.input
class PlaceOrderInput:
    organization_id: relay.GlobalID
    lines: list[OrderLineInput]
    billing_address_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Who the invoice is made out to; the default billing address when omitted."
    )
    promo_code: str | None = strawberry.field(default=None, description="Applied as a DISCOUNT line.")


@strawberry.input
class CancelOrderInput:
    order_id: relay.GlobalID


@strawberry.input
class RenewProductInput:
    product_id: relay.GlobalID
    period_months: int


@strawberry.type
class PlaceOrderPayload:
    order: Order | None
    user_errors: list[PlaceOrderError[0]]  # type: ignore[valid-type]


@strawberry.type
class CancelOrderPayload:
    order: Order | None
    user_errors: list[CancelOrderError[0]]  # type: ignore[valid-type]


@strawberry.type
class RenewProductPayload:
    order: Order | None
    user_errors: list[RenewProductError[0]]  # type: ignore[valid-type]


def _draft(line: OrderLineInput) -> LineDraft:
    parent = decode_id(line.parent_product_id, "Product") if line.parent_product_id else None
    return LineDraft(line.sku.strip(), line.period_months, line.domain_name, parent)


@strawberry.type
class OrderMutation:
    @strawberry.mutation(
        extensions=[requires(Right.ORDER, organization_argument("input.organization_id"))],
        description="An order waiting for payment; its products exist from now on, PENDING_PAYMENT.",
    )
    async def place_order(self, info: Info, input: PlaceOrderInput) -> PlaceOrderPayload | None:
        organization_id = decode_id(input.organization_id, "Organization")
        address_id = decode_id(input.billing_address_id, "BillingAddress") if input.billing_address_id else None
        if input.billing_address_id and address_id is None:
            outcome: Outcome[Any] = Outcome.fail(
                "BILLING_ADDRESS_NOT_FOUND",
                "Choose one of the organization's billing addresses.",
                "input",
                "billingAddressId",
            )
        else:
            extras = orders.Extras(billing_address_id=address_id, promo_code=input.promo_code or None)
            drafts = [_draft(line) for line in input.lines]
            outcome = await orders.place(info.context, organization_id, drafts, extras)  # type: ignore[arg-type]
        return await payload(info, PlaceOrderPayload, PlaceOrderError, outcome, order=Order.from_row)

    @strawberry.mutation(
        extensions=[requires(Right.ORDER, order_argument("input.order_id"))],
        description="Only while it waits for payment.",
    )
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> CancelOrderPayload | None:
        outcome = await orders.cancel(info.context, decode_id(input.order_id, "Order"))  # type: ignore[arg-type]
        return await payload(info, CancelOrderPayload, CancelOrderError, outcome, order=Order.from_row)

    @strawberry.mutation(
        extensions=[requires(Right.ORDER, product_argument("input.product_id"))],
        description="A renewal order waiting for payment; paying extends `expiresAt`.",
    )
    async def renew_product(self, info: Info, input: RenewProductInput) -> RenewProductPayload | None:
        outcome = await orders.renew(info.context, decode_id(input.product_id, "Product"), input.period_months)  # type: ignore[arg-type]
        return await payload(info, RenewProductPayload, RenewProductError, outcome, order=Order.from_row)
