"""Handing a product to another organization: the giving owner asks, the receiving owner or admin decides.

Nothing leaves an organization on one side's word: a member who creates an organization of their own
holds every right there, so rights on both sides prove nothing. The request names the add-ons the
giver saw; acceptance moves exactly those, and refuses when the product changed in between.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from gateway.db.base import new_id
from gateway.db.models import (
    DomainVerification,
    Membership,
    Order,
    OrderLine,
    Organization,
    Product,
    ProductTransfer,
    User,
)
from gateway.db.models.products import FINAL_STATUSES
from permissions.policy import ACTIVE
from permissions.rights import Role
from resolvers import audit, mail, scopes
from resolvers.context import Context
from resolvers.domains import display_name
from resolvers.results import Outcome

TTL = timedelta(days=14)
PENDING, ACCEPTED, DECLINED, CANCELLED, EXPIRED = "PENDING", "ACCEPTED", "DECLINED", "CANCELLED", "EXPIRED"
PENDING_PAYMENT = "PENDING_PAYMENT"


@dataclass(frozen=True, slots=True)
class Decided:
    transfer: ProductTransfer
    product: Product | None


def _fail(code: str, message: str, field: str = "productId") -> Outcome[Any]:
    return Outcome.fail(code, message, "input", field)


def status_of(row: Any, now: Any) -> str:
    return EXPIRED if row.status == PENDING and row.expires_at <= now else row.status


async def _waits_for_payment(session: AsyncSession, product_ids: list[uuid.UUID]) -> bool:
    """An unpaid order (a purchase or a renewal) of the giver still names the product: it would follow nobody."""
    found = await session.scalar(
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id.in_(product_ids), Order.status == PENDING_PAYMENT)
        .limit(1)
    )
    return found is not None


async def _live_addons(session: AsyncSession, product_id: uuid.UUID) -> list[Product]:
    rows = await session.execute(
        select(Product).where(Product.parent_id == product_id, Product.status.not_in(FINAL_STATUSES)).with_for_update()
    )
    return list(rows.scalars())


async def request(ctx: Context, product_id: uuid.UUID, to_organization_id: uuid.UUID | None) -> Outcome[Any]:
    now = ctx.clock.now()
    try:
        async with ctx.db.begin() as session:
            # The product's lock serializes two requests for it; the partial unique index backs it up.
            product = await session.get_one(Product, product_id, with_for_update=True)
            source = product.organization_id
            grant = await ctx.loaders.grant_by_organization_id.load(source)
            assert grant is not None, "the field's permission rule admitted an owner"
            destination = await session.get(Organization, to_organization_id) if to_organization_id else None
            if destination is None or destination.deleted_at is not None:
                return _fail(
                    "DESTINATION_NOT_FOUND", "No organization has this id; ask its owner for it.", "toOrganizationId"
                )
            if destination.id == source:
                return _fail(
                    "SAME_ORGANIZATION", "The product already belongs to this organization.", "toOrganizationId"
                )
            if product.parent_id is not None:
                return _fail("ADDON_MOVES_WITH_PARENT", "Move the product this add-on belongs to; add-ons follow it.")
            if product.status in FINAL_STATUSES:
                return _fail("PRODUCT_CLOSED", "This product is cancelled or expired.")
            addons = await _live_addons(session, product.id)
            if any(not grant.sees_product(a.id) for a in addons):
                return _fail("ADDON_OUT_OF_SCOPE", "An add-on of this product is outside your product scope.")
            moving = [product.id, *(a.id for a in addons)]
            if product.status == PENDING_PAYMENT or await _waits_for_payment(session, moving):
                return _fail("PENDING_ORDER", "An order for this product waits for payment: pay or cancel it first.")
            # A request nobody answered in time no longer holds the product.
            await session.execute(
                update(ProductTransfer)
                .where(
                    ProductTransfer.product_id == product.id,
                    ProductTransfer.status == PENDING,
                    ProductTransfer.expires_at <= now,
                )
                .values(status=EXPIRED)
            )
            open_request = await session.scalar(
                select(ProductTransfer.id).where(
                    ProductTransfer.product_id == product.id, ProductTransfer.status == PENDING
                )
            )
            if open_request is not None:
                return _fail("ALREADY_REQUESTED", "A hand-off of this product already waits for an answer.")
            transfer = ProductTransfer(
                id=new_id(),
                organization_id=source,
                to_organization_id=destination.id,
                product_id=product.id,
                addon_ids=sorted(a.id for a in addons),
                status=PENDING,
                requested_by_id=ctx.principal.user_id,
                created_at=now,
                expires_at=now + TTL,
            )
            session.add(transfer)
            await session.flush()
            _audit_both(session, ctx, transfer, "product.transfer_requested", productIds=_ids(transfer))
            await _tell_receivers(ctx, session, transfer, product, destination)
    except IntegrityError as exc:
        if "uq_product_transfers_product_id_pending" in str(exc.orig):
            return _fail("ALREADY_REQUESTED", "A hand-off of this product already waits for an answer.")
        raise
    return Outcome(Decided(transfer, product))


async def _tell_receivers(
    ctx: Context, session: AsyncSession, transfer: ProductTransfer, product: Product, destination: Organization
) -> None:
    """The receiving owners and admins decide, so each of them is told, whatever topics they chose."""
    giver = await session.scalar(select(Organization.name).where(Organization.id == transfer.organization_id))
    receivers = await session.execute(
        select(User.email, User.language)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == destination.id,
            Membership.status == ACTIVE,
            Membership.role.in_((Role.OWNER.value, Role.ADMIN.value)),
        )
    )
    transfer_id = relay.GlobalID("ProductTransfer", str(transfer.id))
    for email, language in receivers:
        mail.enqueue(
            session,
            kind="product_transfer_offered",
            recipient=email,
            language=language,
            now=ctx.clock.now(),
            giver=giver,
            organization=destination.name,
            product=display_name(product.name),
            addons=str(len(transfer.addon_ids)),
            expires=transfer.expires_at,
            link=f"{ctx.settings.public_url}/product-transfers?id={transfer_id}",
        )


def _ids(transfer: ProductTransfer) -> list[str]:
    return sorted(str(i) for i in (transfer.product_id, *transfer.addon_ids))


def _audit_both(session: AsyncSession, ctx: Context, transfer: ProductTransfer, action: str, **details: Any) -> None:
    """The giving and the receiving organization each keep the same record of every step."""
    target = ("Product", transfer.product_id)
    common = {"transferId": str(transfer.id), **details}
    giver, receiver = transfer.organization_id, transfer.to_organization_id
    audit.record(session, ctx, giver, action, target, toOrganization=str(receiver), **common)
    audit.record(session, ctx, receiver, action, target, fromOrganization=str(giver), **common)


async def _locked_open(session: AsyncSession, ctx: Context, transfer_id: uuid.UUID) -> ProductTransfer | Outcome[Any]:
    """The request, locked, if it can still be answered; each request is answered once."""
    transfer = await session.get_one(ProductTransfer, transfer_id, with_for_update=True)
    if transfer.status != PENDING:
        return _fail("NOT_PENDING", "This hand-off was already answered or cancelled.", "transferId")
    if transfer.expires_at <= ctx.clock.now():
        transfer.status = EXPIRED
        return _fail("EXPIRED", "This hand-off expired; the giving organization can ask again.", "transferId")
    return transfer


def _close(ctx: Context, transfer: ProductTransfer, status: str) -> None:
    transfer.status = status
    transfer.decided_by_id = ctx.principal.user_id
    transfer.decided_at = ctx.clock.now()


async def _requester_still_owner(session: AsyncSession, transfer: ProductTransfer) -> bool:
    found = await session.scalar(
        select(Membership.id).where(
            Membership.organization_id == transfer.organization_id,
            Membership.user_id == transfer.requested_by_id,
            Membership.role == Role.OWNER.value,
            Membership.status == ACTIVE,
        )
    )
    return found is not None


async def accept(ctx: Context, transfer_id: uuid.UUID) -> Outcome[Decided]:
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        transfer = await _locked_open(session, ctx, transfer_id)
        if isinstance(transfer, Outcome):
            return transfer
        product = await session.get_one(Product, transfer.product_id, with_for_update=True)
        if not await _requester_still_owner(session, transfer):
            _close(ctx, transfer, CANCELLED)
            _audit_both(session, ctx, transfer, "product.transfer_lapsed")
            return _fail("REQUEST_LAPSED", "Whoever asked is no longer an owner there; ask them again.", "transferId")
        addons = await _live_addons(session, product.id)
        moving = [product.id, *transfer.addon_ids]
        if (
            product.organization_id != transfer.organization_id
            or product.parent_id is not None
            or product.status in FINAL_STATUSES
            or sorted(a.id for a in addons) != sorted(transfer.addon_ids)
        ):
            return _fail("PRODUCT_CHANGED", "The product changed since the hand-off was asked.", "transferId")
        if await _waits_for_payment(session, moving):
            return _fail("PENDING_ORDER", "An order for this product waits for payment at the giver.", "transferId")
        await session.execute(
            update(Product)
            .where(Product.id.in_(moving), Product.organization_id == transfer.organization_id)
            .values(organization_id=transfer.to_organization_id, updated_at=now)
        )
        await session.execute(
            update(DomainVerification)
            .where(DomainVerification.product_id.in_(moving))
            .values(organization_id=transfer.to_organization_id)
        )
        await scopes.drop_products(session, transfer.organization_id, moving)
        _close(ctx, transfer, ACCEPTED)
        _audit_both(session, ctx, transfer, "product.transfer_accepted")
        details = {"productIds": _ids(transfer), "transferId": str(transfer.id)}
        target = ("Product", product.id)
        audit.record(
            session,
            ctx,
            transfer.organization_id,
            "product.transfer_out",
            target,
            toOrganization=str(transfer.to_organization_id),
            **details,
        )
        audit.record(
            session,
            ctx,
            transfer.to_organization_id,
            "product.transfer_in",
            target,
            fromOrganization=str(transfer.organization_id),
            **details,
        )
        await session.flush()
        await session.refresh(product)
    return Outcome(Decided(transfer, product))


async def decline(ctx: Context, transfer_id: uuid.UUID) -> Outcome[Decided]:
    return await _end(ctx, transfer_id, DECLINED, "product.transfer_declined")


async def cancel(ctx: Context, transfer_id: uuid.UUID) -> Outcome[Decided]:
    return await _end(ctx, transfer_id, CANCELLED, "product.transfer_cancelled")


async def _end(ctx: Context, transfer_id: uuid.UUID, status: str, action: str) -> Outcome[Decided]:
    async with ctx.db.begin() as session:
        transfer = await _locked_open(session, ctx, transfer_id)
        if isinstance(transfer, Outcome):
            return transfer
        _close(ctx, transfer, status)
        _audit_both(session, ctx, transfer, action)
    return Outcome(Decided(transfer, None))


def _described() -> Select[Any]:
    giver, receiver = Organization.__table__.alias("giver"), Organization.__table__.alias("receiver")
    return (
        select(
            *ProductTransfer.__table__.c,
            Product.name.label("product_name"),
            Product.kind.label("product_kind"),
            giver.c.name.label("from_organization_name"),
            receiver.c.name.label("to_organization_name"),
        )
        .join(Product, Product.id == ProductTransfer.product_id)
        .join(giver, giver.c.id == ProductTransfer.organization_id)
        .join(receiver, receiver.c.id == ProductTransfer.to_organization_id)
    )


async def open_for(ctx: Context, organization_id: uuid.UUID) -> list[Any]:
    """Hand-offs still waiting for an answer, given or received by the organization, newest first."""
    stmt = (
        _described()
        .where(
            or_(
                ProductTransfer.organization_id == organization_id,
                ProductTransfer.to_organization_id == organization_id,
            ),
            ProductTransfer.status == PENDING,
            ProductTransfer.expires_at > ctx.clock.now(),
        )
        .order_by(ProductTransfer.created_at.desc(), ProductTransfer.id)
    )
    async with ctx.reads() as session:
        return list((await session.execute(stmt)).all())


async def described(ctx: Context, transfer_id: uuid.UUID) -> Any:
    """One hand-off with the names a payload shows, whatever its status."""
    async with ctx.reads() as session:
        return (await session.execute(_described().where(ProductTransfer.id == transfer_id))).one()
