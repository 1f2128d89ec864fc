from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from permissions.fields import public, requires
from permissions.rights import Right
from resolvers import products
from schema.common import Info, decode_id, product_argument
from schema.errors import user_error
from schema.payloads import payload
from schema.products import Product

PRODUCT = product_argument("input.product_id")
SetAutoRenewError = user_error("SetAutoRenew", ("PRODUCT_CLOSED",))
ConfigureProductError = user_error("ConfigureProduct", ("NOT_TO_CONFIGURE", "SETTING_INVALID"))
RequestCancellationError = user_error("RequestCancellation", ("NOT_CANCELLABLE", "ALREADY_REQUESTED"))
UnblockIpError = user_error(
    "UnblockIp", ("IP_INVALID", "IP_NOT_PUBLIC", "UNSUPPORTED_KIND", "PRODUCT_NOT_ACTIVE", "TOO_MANY_UNBLOCKS")
)
UpdateRegistrantError = user_error("UpdateRegistrant", ("REGISTRANT_INVALID", "NOT_A_DOMAIN", "PRODUCT_CLOSED"))
ResendVerificationError = user_error("ResendVerification", ("NOT_PENDING", "NO_REGISTRANT_EMAIL"))
ConfirmVerificationError = user_error("ConfirmVerification", ("TOKEN_INVALID",))


@strawberry.input
class SetAutoRenewInput:
    product_id: relay.GlobalID
    enabled: bool


@strawberry.input
class ConfigureProductInput:
    product_id: relay.GlobalID
    settings: JSON = strawberry.field(
        description="HOSTING: domain, phpVersion; WORDPRESS_HOSTING: domain, siteTitle, adminEmail; "
        "SERVER: hostname, os, sshPublicKey; MAIL: domain; SSL: commonName."
    )


@strawberry.input
class ProductIdInput:
    product_id: relay.GlobalID


@strawberry.input
class UnblockIpInput:
    product_id: relay.GlobalID
    ip: str


@strawberry.input
class RegistrantInput:
    type: str = strawberry.field(description="PERSON or COMPANY.")
    name: str
    organization: str | None = None
    email: str
    phone: str
    street: str
    postal_code: str
    city: str
    province: str | None = None
    country: str
    tax_code: str | None = strawberry.field(default=None, description="Required for Italian registrants.")


@strawberry.input
class UpdateRegistrantInput:
    product_id: relay.GlobalID
    registrant: RegistrantInput


@strawberry.input
class ConfirmVerificationInput:
    token: str


@strawberry.type
class SetAutoRenewPayload:
    product: Product | None
    user_errors: list[SetAutoRenewError[0]]  # type: ignore[valid-type]


@strawberry.type
class ConfigureProductPayload:
    product: Product | None
    user_errors: list[ConfigureProductError[0]]  # type: ignore[valid-type]


@strawberry.type
class RequestCancellationPayload:
    product: Product | None
    effective_at: datetime | None = strawberry.field(description="When the product stops.")
    within_notice: bool | None = strawberry.field(
        description="True: asked at least 60 days before expiry, so it ends at expiry. "
        "False: too late for this term; it renews once more and ends after the next term."
    )
    user_errors: list[RequestCancellationError[0]]  # type: ignore[valid-type]


@strawberry.type
class UnblockIpPayload:
    product: Product | None
    user_errors: list[UnblockIpError[0]]  # type: ignore[valid-type]


@strawberry.type
class UpdateRegistrantPayload:
    product: Product | None
    user_errors: list[UpdateRegistrantError[0]]  # type: ignore[valid-type]


@strawberry.type
class ResendVerificationPayload:
    product: Product | None
    user_errors: list[ResendVerificationError[0]]  # type: ignore[valid-type]


@strawberry.type
class ConfirmVerificationPayload:
    verified: bool
    user_errors: list[ConfirmVerificationError[0]]  # type: ignore[valid-type]


def _id(value: relay.GlobalID) -> Any:
    return decode_id(value, "Product")


async def _product(info: Info, row: Any) -> Product | None:
    visible = await info.context.loaders.product_by_id.load(row.id)
    return Product.from_row(visible) if visible else None


def _registrant(data: RegistrantInput) -> dict[str, Any]:
    return {
        "type": data.type,
        "name": data.name,
        "organization": data.organization,
        "email": data.email,
        "phone": data.phone,
        "street": data.street,
        "postalCode": data.postal_code,
        "city": data.city,
        "province": data.province,
        "country": data.country,
        "taxCode": data.tax_code,
    }


@strawberry.type
class ProductMutation:
    @strawberry.mutation(extensions=[requires(Right.MANAGE_PRODUCTS, PRODUCT)])
    async def set_auto_renew(self, info: Info, input: SetAutoRenewInput) -> SetAutoRenewPayload | None:
        outcome = await products.set_auto_renew(info.context, _id(input.product_id), input.enabled)
        return await payload(info, SetAutoRenewPayload, SetAutoRenewError, outcome, product=lambda r: _product(info, r))

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_PRODUCTS, PRODUCT)],
        description="TO_CONFIGURE → ACTIVE, with the kind's settings.",
    )
    async def configure_product(self, info: Info, input: ConfigureProductInput) -> ConfigureProductPayload | None:
        settings = input.settings if isinstance(input.settings, dict) else {}
        outcome = await products.configure(info.context, _id(input.product_id), settings)
        return await payload(
            info, ConfigureProductPayload, ConfigureProductError, outcome, product=lambda r: _product(info, r)
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_PRODUCTS, PRODUCT)],
        description="Tacit annual renewal: 60 days' notice ends the product at expiry; later, after the next term.",
    )
    async def request_cancellation(self, info: Info, input: ProductIdInput) -> RequestCancellationPayload | None:
        outcome = await products.request_cancellation(info.context, _id(input.product_id))
        return await payload(
            info,
            RequestCancellationPayload,
            RequestCancellationError,
            outcome,
            product=lambda c: _product(info, c.product),
            effective_at=lambda c: c.effective_at,
            within_notice=lambda c: c.within_notice,
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_PRODUCTS, PRODUCT)],
        description="Lift a firewall block of a public address on hosting or a server; at most 5 an hour.",
    )
    async def unblock_ip(self, info: Info, input: UnblockIpInput) -> UnblockIpPayload | None:
        outcome = await products.unblock_ip(info.context, _id(input.product_id), input.ip)
        return await payload(info, UnblockIpPayload, UnblockIpError, outcome, product=lambda r: _product(info, r))

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_PRODUCTS, PRODUCT)],
        description="A new registrant email must be verified again (gTLDs).",
    )
    async def update_registrant(self, info: Info, input: UpdateRegistrantInput) -> UpdateRegistrantPayload | None:
        outcome = await products.update_registrant(info.context, _id(input.product_id), _registrant(input.registrant))
        return await payload(
            info, UpdateRegistrantPayload, UpdateRegistrantError, outcome, product=lambda r: _product(info, r)
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_PRODUCTS, PRODUCT)], description="Mail the registrant a new link."
    )
    async def resend_verification(self, info: Info, input: ProductIdInput) -> ResendVerificationPayload | None:
        outcome = await products.resend_verification(info.context, _id(input.product_id))
        return await payload(
            info, ResendVerificationPayload, ResendVerificationError, outcome, product=lambda r: _product(info, r)
        )

    @strawberry.mutation(extensions=[public()], description="The registrant's link; no login needed.")
    async def confirm_verification(self, info: Info, input: ConfirmVerificationInput) -> ConfirmVerificationPayload:
        outcome = await products.confirm_verification(info.context, input.token)
        return await payload(
            info,
            ConfirmVerificationPayload,
            ConfirmVerificationError,
            outcome,
            otherwise={"verified": False},
            verified=lambda _: True,
        )
