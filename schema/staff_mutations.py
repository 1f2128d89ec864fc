"""What the provider's staff change: payments that arrived outside the gateway, credits, promo codes (billing
staff), and the staff itself (superadmins). The same operations as `gateway payments|orders|credits|promo|staff`,
through `resolvers.staff_billing` and `resolvers.staff_members`; each is one transaction, audited."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from permissions.fields import staff
from permissions.staff import StaffRole
from resolvers import staff_billing, staff_members
from schema.catalog import Money, ProductKind
from schema.common import Info, decode_id, encode_id
from schema.errors import user_error
from schema.payloads import payload
from schema.staff import StaffMember

BILLING = StaffRole.BILLING_STAFF
SETTLE_CODES = ("ORDER_NOT_FOUND", "ORDER_NOT_PENDING", "REFERENCE_REQUIRED", "METHOD_INVALID")
SettleOrderError = user_error("StaffSettleOrder", SETTLE_CODES)
GrantCreditError = user_error(
    "StaffGrantCredit", ("ORGANIZATION_NOT_FOUND", "KIND_INVALID", "AMOUNT_INVALID", "REASON_REQUIRED")
)
CreatePromoCodeError = user_error(
    "StaffCreatePromoCode",
    (
        "CODE_INVALID",
        "CODE_TAKEN",
        "DESCRIPTION_REQUIRED",
        "DISCOUNT_INVALID",
        "KIND_INVALID",
        "TIME_WITHOUT_OFFSET",
        "VALIDITY_INVALID",
        "MAX_USES_INVALID",
    ),
)
AddStaffMemberError = user_error(
    "AddStaffMember", ("EMAIL_INVALID", "USER_NOT_FOUND", "EMAIL_NOT_VERIFIED", "ALREADY_STAFF")
)
ChangeStaffRoleError = user_error("ChangeStaffRole", ("STAFF_NOT_FOUND", "LAST_SUPERADMIN"))
RemoveStaffMemberError = user_error("RemoveStaffMember", ("STAFF_NOT_FOUND", "LAST_SUPERADMIN"))


@strawberry.input(description="The order, by its global id or its number (what a bank transfer quotes).")
class StaffSettleOrderInput:
    order_id: relay.GlobalID | None = None
    order_number: str | None = None
    reference: str = strawberry.field(description="The bank's reference of the transfer, or a note.")


@strawberry.type
class StaffSettleOrderPayload:
    order_id: strawberry.ID | None
    order_number: str | None
    invoice_number: str | None
    user_errors: list[SettleOrderError[0]]  # type: ignore[valid-type]


@strawberry.input
class StaffGrantCreditInput:
    organization_id: relay.GlobalID
    kind: ProductKind = strawberry.field(description="The kind of product the credit pays for.")
    amount_cents: int
    reason: str = strawberry.field(description="Shown in the organization's audit log.")


@strawberry.type
class StaffGrantCreditPayload:
    credit: Money | None
    user_errors: list[GrantCreditError[0]]  # type: ignore[valid-type]


@strawberry.input(description="Either `percentOff` or `amountOffCents`.")
class StaffCreatePromoCodeInput:
    code: str
    description: str
    percent_off: int | None = None
    amount_off_cents: int | None = None
    kinds: list[ProductKind] | None = strawberry.field(default=None, description="All kinds when omitted.")
    valid_from: datetime
    valid_until: datetime
    max_uses: int | None = None


@strawberry.type
class StaffCreatePromoCodePayload:
    code: str | None
    user_errors: list[CreatePromoCodeError[0]]  # type: ignore[valid-type]


@strawberry.input
class AddStaffMemberInput:
    email: str = strawberry.field(description="An existing account with a verified address.")
    role: StaffRole


@strawberry.input
class ChangeStaffRoleInput:
    staff_member_id: relay.GlobalID
    role: StaffRole


@strawberry.input
class RemoveStaffMemberInput:
    staff_member_id: relay.GlobalID


@strawberry.type
class StaffMemberPayload:
    staff_member: StaffMember | None
    user_errors: list[AddStaffMemberError[0]]  # type: ignore[valid-type]


@strawberry.type
class ChangeStaffRolePayload:
    staff_member: StaffMember | None
    user_errors: list[ChangeStaffRoleError[0]]  # type: ignore[valid-type]


@strawberry.type
class RemoveStaffMemberPayload:
    removed_staff_member_id: strawberry.ID | None
    user_errors: list[RemoveStaffMemberError[0]]  # type: ignore[valid-type]


def _operator(info: Info) -> staff_billing.Operator:
    ctx = info.context
    return staff_billing.Operator(ctx.principal, ctx.client_ip, ctx.clock.now())


async def _settle(info: Info, input: StaffSettleOrderInput, method: str) -> StaffSettleOrderPayload:
    order_id = decode_id(input.order_id, "Order")
    number = input.order_number if input.order_id is None else None  # an id of another type names no order
    outcome = await staff_billing.settle_order(
        info.context.db, info.context.settings, _operator(info), order_id, number, method, input.reference
    )
    return await payload(
        info,
        StaffSettleOrderPayload,
        SettleOrderError,
        outcome,
        order_id=lambda v: strawberry.ID(encode_id("Order", v.order.id)),
        order_number=lambda v: v.order.number,
        invoice_number=lambda v: v.invoice_number,
    )


@strawberry.type
class StaffMutation:
    @strawberry.mutation(
        extensions=[staff(BILLING)],
        description="A bank transfer that paid an order arrived: the order is paid, invoiced and delivered.",
    )
    async def staff_record_bank_transfer(self, info: Info, input: StaffSettleOrderInput) -> StaffSettleOrderPayload:
        return await _settle(info, input, "BANK_TRANSFER")

    @strawberry.mutation(
        extensions=[staff(BILLING)], description="An order paid by other means: paid, invoiced and delivered."
    )
    async def staff_mark_order_paid(self, info: Info, input: StaffSettleOrderInput) -> StaffSettleOrderPayload:
        return await _settle(info, input, "MANUAL")

    @strawberry.mutation(
        extensions=[staff(BILLING)], description="Credit for one kind of product, spent at the next checkouts."
    )
    async def staff_grant_credit(self, info: Info, input: StaffGrantCreditInput) -> StaffGrantCreditPayload:
        outcome = await staff_billing.grant_credit(
            info.context.db,
            _operator(info),
            decode_id(input.organization_id, "Organization"),
            input.kind.value,
            input.amount_cents,
            input.reason,
        )
        return await payload(
            info,
            StaffGrantCreditPayload,
            GrantCreditError,
            outcome,
            credit=lambda v: Money.of(v[0].amount_cents, "EUR"),
        )

    @strawberry.mutation(extensions=[staff(BILLING)], description="A promo code every organization may redeem.")
    async def staff_create_promo_code(
        self, info: Info, input: StaffCreatePromoCodeInput
    ) -> StaffCreatePromoCodePayload:
        draft = staff_billing.PromoDraft(
            input.code,
            input.description,
            input.percent_off,
            input.amount_off_cents,
            [k.value for k in input.kinds or []],
            input.valid_from,
            input.valid_until,
            input.max_uses,
        )
        outcome = await staff_billing.create_promo(info.context.db, draft)
        return await payload(info, StaffCreatePromoCodePayload, CreatePromoCodeError, outcome, code=lambda v: v.code)

    @strawberry.mutation(extensions=[staff(StaffRole.SUPERADMIN)])
    async def add_staff_member(self, info: Info, input: AddStaffMemberInput) -> StaffMemberPayload:
        ctx = info.context
        outcome = await staff_members.add(ctx.db, input.email, input.role, ctx.principal.user_id, ctx.clock.now())
        return await payload(info, StaffMemberPayload, AddStaffMemberError, outcome, staff_member=StaffMember.from_row)

    @strawberry.mutation(extensions=[staff(StaffRole.SUPERADMIN)])
    async def change_staff_role(self, info: Info, input: ChangeStaffRoleInput) -> ChangeStaffRolePayload:
        ctx = info.context
        staff_id = decode_id(input.staff_member_id, "StaffMember")
        outcome = await staff_members.change_role(ctx.db, staff_id, input.role, ctx.principal.user_id, ctx.clock.now())
        return await payload(
            info, ChangeStaffRolePayload, ChangeStaffRoleError, outcome, staff_member=StaffMember.from_row
        )

    @strawberry.mutation(extensions=[staff(StaffRole.SUPERADMIN)], description="Also ends the person's sessions.")
    async def remove_staff_member(self, info: Info, input: RemoveStaffMemberInput) -> RemoveStaffMemberPayload:
        ctx = info.context
        staff_id = decode_id(input.staff_member_id, "StaffMember")
        outcome = await staff_members.remove(ctx.db, staff_id, ctx.principal.user_id, ctx.clock.now())
        return await payload(
            info,
            RemoveStaffMemberPayload,
            RemoveStaffMemberError,
            outcome,
            removed_staff_member_id=lambda v: strawberry.ID(encode_id("StaffMember", v.id)),
        )
