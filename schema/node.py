"""`node(id:)`: any object by global id, under the same rules as the edges that lead to it.

The Node types define no `resolve_nodes` of their own: an object is fetched by id only here, after
its rule, so no other path (Strawberry's `relay.node()` field included) can skip the check.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry import relay

from gateway.i18n import text
from permissions.check import authorize
from permissions.errors import BadUserInput, GatewayError, NotFound, TokenNotAllowed
from permissions.fields import Target, authenticated
from permissions.rights import Right, Role
from resolvers import product_transfers
from schema.api_tokens import ApiToken
from schema.audit import AuditEntry
from schema.billing import Invoice, Payment, Withdrawal
from schema.billing_addresses import BillingAddress
from schema.common import Info
from schema.identity import User
from schema.invitations import Invitation
from schema.members import Member
from schema.orders import Order
from schema.organizations import Organization
from schema.product_transfers import ProductTransfer, side_of
from schema.products import Product
from schema.webhooks import WebhookDelivery, WebhookEndpoint

Fetch = Callable[[Any, uuid.UUID], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class NodeRule:
    locate: Callable[[Any, uuid.UUID], Awaitable[Target | None]]
    fetch: Fetch
    right: Right | None = None
    any_of: tuple[Right, ...] = ()
    role: Role | None = None
    in_person: bool = False  # never through an API token (`@inPerson` on the edges)


# The caller's own object, in no organization (a personal token): it needs no membership.
OWN = Target(None)


def _in(load: Fetch) -> Callable[[Any, uuid.UUID], Awaitable[Target | None]]:
    async def locate(ctx: Any, node_id: uuid.UUID) -> Target | None:
        row = await load(ctx, node_id)
        return Target(row.organization_id) if row is not None else None

    return locate


def _built(load: Fetch, build: Callable[[Any, Any], Any]) -> Fetch:
    async def fetch(ctx: Any, node_id: uuid.UUID) -> Any:
        row = await load(ctx, node_id)
        return build(ctx, row) if row is not None else None

    return fetch


def _by(loader: str) -> Fetch:
    """The row of this id from the request's loader of that name."""

    def fetch(ctx: Any, node_id: uuid.UUID) -> Any:
        return getattr(ctx.loaders, loader).load(node_id)

    return fetch


async def _organization(ctx: Any, node_id: uuid.UUID) -> Target | None:
    return Target(node_id)


async def _product(ctx: Any, node_id: uuid.UUID) -> Target | None:
    organization_id = await ctx.loaders.organization_of_product.load(node_id)
    return Target(organization_id, node_id) if organization_id else None


async def _transfer_side(ctx: Any, node_id: uuid.UUID) -> Target | None:
    row = await _by("product_transfer_by_id")(ctx, node_id)
    return Target(await side_of(ctx, row)) if row is not None else None


async def _transfer(ctx: Any, node_id: uuid.UUID) -> Any:
    row = await _by("product_transfer_by_id")(ctx, node_id)
    if row is None:
        return None
    return ProductTransfer.from_row(
        await product_transfers.described(ctx, node_id), await side_of(ctx, row), ctx.clock.now()
    )


async def _api_token(ctx: Any, node_id: uuid.UUID) -> Target | None:
    row = await _by("api_token_by_id")(ctx, node_id)
    if row is None:
        return None
    if row.organization_id is not None:
        return Target(row.organization_id)
    return OWN if row.user_id == ctx.principal.user_id else None


RULES: dict[str, NodeRule] = {
    "Organization": NodeRule(_organization, _built(_by("organization_by_id"), lambda ctx, r: Organization.from_row(r))),
    "Member": NodeRule(_in(_by("member_by_id")), _built(_by("member_by_id"), lambda ctx, r: Member.from_row(r))),
    "Product": NodeRule(
        _product, _built(_by("product_by_id"), lambda ctx, r: Product.from_row(r)), right=Right.VIEW_PRODUCTS
    ),
    "Order": NodeRule(
        _in(_by("order_by_id")),
        _built(_by("order_by_id"), lambda ctx, r: Order.from_row(r)),
        any_of=(Right.ORDER, Right.VIEW_BILLING),
    ),
    "Invoice": NodeRule(
        _in(_by("invoice_by_id")),
        _built(_by("invoice_by_id"), lambda ctx, r: Invoice.from_row(r)),
        right=Right.VIEW_BILLING,
    ),
    "BillingAddress": NodeRule(
        _in(_by("billing_address_by_id")),
        _built(_by("billing_address_by_id"), lambda ctx, r: BillingAddress.from_row(r)),
        right=Right.VIEW_BILLING,
    ),
    "Invitation": NodeRule(
        _in(_by("invitation_by_id")),
        _built(_by("invitation_by_id"), lambda ctx, r: Invitation.from_row(r, ctx.clock.now())),
        right=Right.MANAGE_MEMBERS,
    ),
    "AuditEntry": NodeRule(
        _in(_by("audit_entry_by_id")),
        _built(_by("audit_entry_by_id"), lambda ctx, r: AuditEntry.from_row(r)),
        role=Role.ADMIN,
    ),
    "Payment": NodeRule(
        _in(_by("payment_by_id")),
        _built(_by("payment_by_id"), lambda ctx, r: Payment.from_row(r)),
        right=Right.VIEW_BILLING,
    ),
    "ProductTransfer": NodeRule(_transfer_side, _transfer, role=Role.ADMIN),
    "Withdrawal": NodeRule(
        _in(_by("withdrawal_by_id")),
        _built(_by("withdrawal_by_id"), lambda ctx, r: Withdrawal.from_row(r)),
        right=Right.VIEW_BILLING,
    ),
    "ApiToken": NodeRule(
        _api_token,
        _built(_by("api_token_by_id"), lambda ctx, r: ApiToken.from_row(r, ctx.clock.now())),
        role=Role.ADMIN,
        in_person=True,
    ),
    "WebhookEndpoint": NodeRule(
        _in(_by("webhook_endpoint_by_id")),
        _built(_by("webhook_endpoint_by_id"), lambda ctx, r: WebhookEndpoint.from_row(r)),
        right=Right.MANAGE_ORGANIZATION,
    ),
    "WebhookDelivery": NodeRule(
        _in(_by("webhook_delivery_by_id")),
        _built(_by("webhook_delivery_by_id"), lambda ctx, r: WebhookDelivery.from_row(r)),
        right=Right.MANAGE_ORGANIZATION,
    ),
}
MAX_NODES = 100


async def _node(ctx: Any, id: relay.GlobalID) -> relay.Node:
    try:
        node_id = uuid.UUID(id.node_id)
    except ValueError:
        raise NotFound from None
    if id.type_name == "User":
        if node_id != ctx.principal.user_id:
            raise NotFound
        return User.from_row(await ctx.loaders.user_by_id.load(node_id))
    rule = RULES.get(id.type_name)
    if rule is not None and rule.in_person and ctx.principal.token is not None:
        raise TokenNotAllowed
    target = await rule.locate(ctx, node_id) if rule else None
    if rule is None or target is None:
        raise NotFound
    if target is not OWN:
        await authorize(
            ctx,
            target.organization_id,
            right=rule.right,
            any_of=rule.any_of,
            role=rule.role,
            product_id=target.product_id,
            staff_view=True,  # node(id:) is a read
        )
    node = await rule.fetch(ctx, node_id)
    if node is None:
        raise NotFound
    return node


async def _node_or_error(ctx: Any, id: relay.GlobalID) -> relay.Node | GatewayError:
    try:
        return await _node(ctx, id)
    except GatewayError as refused:
        return refused


@strawberry.type
class NodeQuery:
    @strawberry.field(
        extensions=[authenticated()],
        description="Any object by its global id: null, with a NOT_FOUND (or FORBIDDEN) error, when it does not "
        "exist or the caller may not see it; the same rules as the edges that lead to it.",
    )
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        return await _node(info.context, id)

    @strawberry.field(
        extensions=[authenticated()],
        description=f"Objects by their global ids, in the order asked (at most {MAX_NODES}): each one `node(id:)` "
        "would refuse is null, with its error at its index.",
    )
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(text("`ids` takes at most {maximum} ids.", maximum=MAX_NODES))
        # An error in place of an item nulls that item only, with the error's path ending in its index.
        return list(await asyncio.gather(*(_node_or_error(info.context, i) for i in ids)))  # type: ignore[arg-type]
