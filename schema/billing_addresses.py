from __future__ import annotations

import uuid
from typing import Any, Self

import strawberry
from strawberry import relay

from permissions.fields import inherited, requires
from permissions.rights import Right
from resolvers import billing_addresses
from resolvers.billing_addresses import AddressDraft
from schema.common import Info, decode_id, organization_argument, owned_argument
from schema.errors import user_error
from schema.payloads import payload

ADDRESS_CODES = (
    "FIELD_REQUIRED",
    "POSTAL_CODE_INVALID",
    "COUNTRY_INVALID",
    "VAT_NUMBER_INVALID",
    "TAX_CODE_INVALID",
    "SDI_CODE_INVALID",
    "PEC_INVALID",
)
AddBillingAddressError = user_error("AddBillingAddress", ADDRESS_CODES)
UpdateBillingAddressError = user_error("UpdateBillingAddress", (*ADDRESS_CODES, "NOT_FOUND"))
SetDefaultBillingAddressError = user_error("SetDefaultBillingAddress", ("NOT_FOUND",))
RemoveBillingAddressError = user_error("RemoveBillingAddress", ("NOT_FOUND", "IS_DEFAULT", "LAST_ADDRESS"))


@strawberry.type(description="Where invoices go. Issued invoices keep the copy they were made with.")
class BillingAddress(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    label: str = inherited()
    name: str = inherited(description="Who the invoice is made out to.")
    street: str = inherited()
    postal_code: str = inherited()
    city: str = inherited()
    province: str | None = inherited()
    country: str = inherited()
    vat_number: str | None = inherited()
    tax_code: str | None = inherited()
    sdi_code: str | None = inherited(description="Italian e-invoicing: the recipient code (7 characters).")
    pec: str | None = inherited(description="Italian e-invoicing: certified mail address.")
    is_default: bool = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            label=row.label,
            name=row.name,
            street=row.street,
            postal_code=row.postal_code,
            city=row.city,
            province=row.province,
            country=row.country,
            vat_number=row.vat_number,
            tax_code=row.tax_code,
            sdi_code=row.sdi_code,
            pec=row.pec,
            is_default=row.is_default,
        )


@strawberry.input
class BillingAddressInput:
    label: str | None = None
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    province: str | None = None
    country: str | None = None
    vat_number: str | None = None
    tax_code: str | None = None
    sdi_code: str | None = None
    pec: str | None = None

    def draft(self) -> AddressDraft:
        return AddressDraft(**{name: getattr(self, name) for name in AddressDraft.__slots__})


@strawberry.input
class AddBillingAddressInput:
    organization_id: relay.GlobalID
    address: BillingAddressInput


@strawberry.input
class UpdateBillingAddressInput:
    address_id: relay.GlobalID
    address: BillingAddressInput


@strawberry.input
class BillingAddressIdInput:
    address_id: relay.GlobalID


@strawberry.type
class AddBillingAddressPayload:
    billing_address: BillingAddress | None
    user_errors: list[AddBillingAddressError[0]]  # type: ignore[valid-type]


@strawberry.type
class UpdateBillingAddressPayload:
    billing_address: BillingAddress | None
    user_errors: list[UpdateBillingAddressError[0]]  # type: ignore[valid-type]


@strawberry.type
class SetDefaultBillingAddressPayload:
    billing_address: BillingAddress | None
    user_errors: list[SetDefaultBillingAddressError[0]]  # type: ignore[valid-type]


@strawberry.type
class RemoveBillingAddressPayload:
    removed_address_id: strawberry.ID | None
    user_errors: list[RemoveBillingAddressError[0]]  # type: ignore[valid-type]


ADDRESS = owned_argument("input.address_id", "BillingAddress", "billing_address_by_id")


def _id(value: relay.GlobalID) -> Any:
    return decode_id(value, "BillingAddress")


@strawberry.type
class BillingAddressMutation:
    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_BILLING, organization_argument("input.organization_id"))],
        description="The first address becomes the default.",
    )
    async def add_billing_address(self, info: Info, input: AddBillingAddressInput) -> AddBillingAddressPayload | None:
        organization_id = decode_id(input.organization_id, "Organization")
        outcome = await billing_addresses.add(info.context, organization_id, input.address.draft())  # type: ignore[arg-type]
        return await payload(
            info, AddBillingAddressPayload, AddBillingAddressError, outcome, billing_address=BillingAddress.from_row
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_BILLING, ADDRESS)], description="Only what is given changes."
    )
    async def update_billing_address(
        self, info: Info, input: UpdateBillingAddressInput
    ) -> UpdateBillingAddressPayload | None:
        outcome = await billing_addresses.change(info.context, _id(input.address_id), input.address.draft())
        return await payload(
            info,
            UpdateBillingAddressPayload,
            UpdateBillingAddressError,
            outcome,
            billing_address=BillingAddress.from_row,
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_BILLING, ADDRESS)])
    async def set_default_billing_address(
        self, info: Info, input: BillingAddressIdInput
    ) -> SetDefaultBillingAddressPayload | None:
        outcome = await billing_addresses.make_default(info.context, _id(input.address_id))
        return await payload(
            info,
            SetDefaultBillingAddressPayload,
            SetDefaultBillingAddressError,
            outcome,
            billing_address=BillingAddress.from_row,
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_BILLING, ADDRESS)], description="Not the default one, not the last one."
    )
    async def remove_billing_address(
        self, info: Info, input: BillingAddressIdInput
    ) -> RemoveBillingAddressPayload | None:
        outcome = await billing_addresses.remove(info.context, _id(input.address_id))
        return await payload(
            info,
            RemoveBillingAddressPayload,
            RemoveBillingAddressError,
            outcome,
            removed_address_id=lambda _: strawberry.ID(str(input.address_id)),
        )
