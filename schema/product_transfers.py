"""Hand-offs of a product between organizations: asked by the giving owner, answered by the receiving side."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry
from strawberry import relay

from permissions.fields import Locator, inherited, requires_role
from permissions.rights import Role
from resolvers import product_transfers
from schema.common import Info, _argument, decode_id, product_argument
from schema.errors import user_error
from schema.payloads import payload
from schema.products import Product

TransferProductError = user_error(
    "TransferProduct",
    (
        "DESTINATION_NOT_FOUND",
        "SAME_ORGANIZATION",
        "ADDON_MOVES_WITH_PARENT",
        "ADDON_OUT_OF_SCOPE",
        "PRODUCT_CLOSED",
        "PENDING_ORDER",
        "ALREADY_REQUESTED",
    ),
)
AcceptProductTransferError = user_error(
    "AcceptProductTransfer", ("NOT_PENDING", "EXPIRED", "REQUEST_LAPSED", "PRODUCT_CHANGED", "PENDING_ORDER")
)
DeclineProductTransferError = user_error("DeclineProductTransfer", ("NOT_PENDING", "EXPIRED"))
CancelProductTransferError = user_error("CancelProductTransfer", ("NOT_PENDING", "EXPIRED"))


@strawberry.enum
class ProductTransferStatus(Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


@strawberry.enum(description="Seen from the organization that reads it.")
class ProductTransferDirection(Enum):
    INCOMING = "INCOMING"
    OUTGOING = "OUTGOING"


@strawberry.type(description="A product (with its add-ons) offered by one organization to another.")
class ProductTransfer(relay.Node):
    id: relay.NodeID[uuid.UUID]
    direction: ProductTransferDirection = inherited()
    status: ProductTransferStatus = inherited()
    product_name: str = inherited()
    product_kind: str = inherited()
    add_on_count: int = inherited(description="Add-ons that move with the product.")
    from_organization_name: str = inherited()
    to_organization_name: str = inherited()
    created_at: datetime = inherited()
    expires_at: datetime = inherited(description="Unanswered by then, the offer lapses.")
    decided_at: datetime | None = inherited()

    @classmethod
    def from_row(cls, row: Any, viewer_organization_id: uuid.UUID, now: datetime) -> Self:
        incoming = row.to_organization_id == viewer_organization_id
        return cls(
            id=row.id,
            direction=ProductTransferDirection.INCOMING if incoming else ProductTransferDirection.OUTGOING,
            status=ProductTransferStatus(product_transfers.status_of(row, now)),
            product_name=row.product_name,
            product_kind=row.product_kind,
            add_on_count=len(row.addon_ids),
            from_organization_name=row.from_organization_name,
            to_organization_name=row.to_organization_name,
            created_at=row.created_at,
            expires_at=row.expires_at,
            decided_at=row.decided_at,
        )


async def side_of(ctx: Any, row: Any) -> uuid.UUID:
    """The organization a caller reads a hand-off as: the receiving one where they are an admin, else the giver."""
    grant = await ctx.loaders.grant_by_organization_id.load(row.to_organization_id)
    if grant is not None and grant.active and grant.at_least(Role.ADMIN):
        return row.to_organization_id
    return row.organization_id


def transfer_argument(path: str, *, receiving: bool) -> Locator:
    """The organization on one side of the hand-off an argument names: each side answers only for itself."""

    async def locate(source: Any, info: strawberry.Info, arguments: dict[str, Any]) -> uuid.UUID | None:
        transfer_id = decode_id(_argument(arguments, path), "ProductTransfer")
        row = await info.context.loaders.product_transfer_by_id.load(transfer_id) if transfer_id else None
        if row is None:
            return None
        return row.to_organization_id if receiving else row.organization_id

    return locate


GIVER = transfer_argument("input.transfer_id", receiving=False)
RECEIVER = transfer_argument("input.transfer_id", receiving=True)


@strawberry.input
class TransferProductInput:
    product_id: relay.GlobalID
    to_organization_id: relay.GlobalID = strawberry.field(description="The receiving organization's id.")


@strawberry.input
class ProductTransferIdInput:
    transfer_id: strawberry.ID


@strawberry.type
class TransferProductPayload:
    transfer: ProductTransfer | None
    product: Product | None = strawberry.field(description="Still in this organization until the receiver accepts.")
    user_errors: list[TransferProductError[0]]  # type: ignore[valid-type]


@strawberry.type
class AcceptProductTransferPayload:
    transfer: ProductTransfer | None
    product: Product | None = strawberry.field(description="Now in the receiving organization.")
    user_errors: list[AcceptProductTransferError[0]]  # type: ignore[valid-type]


@strawberry.type
class DeclineProductTransferPayload:
    transfer: ProductTransfer | None
    user_errors: list[DeclineProductTransferError[0]]  # type: ignore[valid-type]


@strawberry.type
class CancelProductTransferPayload:
    transfer: ProductTransfer | None
    user_errors: list[CancelProductTransferError[0]]  # type: ignore[valid-type]


async def _transfer(info: Info, decided: Any, receiving: bool) -> ProductTransfer:
    row = await product_transfers.described(info.context, decided.transfer.id)
    viewer = row.to_organization_id if receiving else row.organization_id
    return ProductTransfer.from_row(row, viewer, info.context.clock.now())


async def _product(info: Info, decided: Any) -> Product | None:
    visible = await info.context.loaders.product_by_id.load(decided.product.id) if decided.product else None
    return Product.from_row(visible) if visible else None


def _transfer_id(input: ProductTransferIdInput) -> uuid.UUID:
    transfer_id = decode_id(input.transfer_id, "ProductTransfer")
    assert transfer_id is not None, "the locator answered NOT_FOUND for anything else"
    return transfer_id


@strawberry.type
class ProductTransferMutation:
    @strawberry.mutation(
        extensions=[requires_role(Role.OWNER, product_argument("input.product_id"))],
        description="Offer a product (and its add-ons) to another organization, e.g. after a change of legal "
        "entity. Only an owner may give; the receiving organization's owner or admin accepts or declines "
        "within 14 days.",
    )
    async def transfer_product(self, info: Info, input: TransferProductInput) -> TransferProductPayload | None:
        destination = decode_id(input.to_organization_id, "Organization")
        product_id = decode_id(input.product_id, "Product")
        outcome = await product_transfers.request(info.context, product_id, destination)  # type: ignore[arg-type]
        return await payload(
            info,
            TransferProductPayload,
            TransferProductError,
            outcome,
            transfer=lambda d: _transfer(info, d, receiving=False),
            product=lambda d: _product(info, d),
        )

    @strawberry.mutation(
        extensions=[requires_role(Role.ADMIN, RECEIVER)],
        description="The receiving organization takes the product over; it leaves the giver's scopes.",
    )
    async def accept_product_transfer(
        self, info: Info, input: ProductTransferIdInput
    ) -> AcceptProductTransferPayload | None:
        outcome = await product_transfers.accept(info.context, _transfer_id(input))
        return await payload(
            info,
            AcceptProductTransferPayload,
            AcceptProductTransferError,
            outcome,
            transfer=lambda d: _transfer(info, d, receiving=True),
            product=lambda d: _product(info, d),
        )

    @strawberry.mutation(extensions=[requires_role(Role.ADMIN, RECEIVER)])
    async def decline_product_transfer(
        self, info: Info, input: ProductTransferIdInput
    ) -> DeclineProductTransferPayload | None:
        outcome = await product_transfers.decline(info.context, _transfer_id(input))
        return await payload(
            info,
            DeclineProductTransferPayload,
            DeclineProductTransferError,
            outcome,
            transfer=lambda d: _transfer(info, d, receiving=True),
        )

    @strawberry.mutation(
        extensions=[requires_role(Role.OWNER, GIVER)], description="Withdraw an offer nobody answered yet."
    )
    async def cancel_product_transfer(
        self, info: Info, input: ProductTransferIdInput
    ) -> CancelProductTransferPayload | None:
        outcome = await product_transfers.cancel(info.context, _transfer_id(input))
        return await payload(
            info,
            CancelProductTransferPayload,
            CancelProductTransferError,
            outcome,
            transfer=lambda d: _transfer(info, d, receiving=False),
        )
