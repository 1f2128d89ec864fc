"""Orders: placing (new products and renewals), cancelling, and completing once paid."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import i18n
from gateway.db.base import new_id
from gateway.db.models import (
    BillingAddress,
    CatalogItem,
    CatalogPrice,
    Membership,
    Order,
    OrderLine,
    Organization,
    Product,
    User,
)
from gateway.db.models.products import FINAL_STATUSES
from gateway.i18n import Either, Text
from gateway.settings import Settings
from permissions.errors import NotFound
from permissions.policy import Grant
from resolvers import (
    audit,
    descriptions,
    discounts,
    domains,
    fees,
    invoices,
    order_domains,
    product_status,
    verification,
    vies,
    webhook_events,
)
from resolvers.catalog import kind_name
from resolvers.context import Context
from resolvers.dates import add_months
from resolvers.pricing import vat_cents, vat_for
from resolvers.results import Outcome
from resolvers.search import trigrams

MAX_LINES = 50
PENDING, PAID, CANCELLED = "PENDING_PAYMENT", "PAID", "CANCELLED"
# What a product needs after purchase before it works.
NEEDS_CONFIGURATION = frozenset({"HOSTING", "WORDPRESS_HOSTING", "SERVER", "MAIL", "SSL"})
RENEWABLE = frozenset({"ACTIVE", "TO_CONFIGURE", "SUSPENDED", "EXPIRED"})
VERIFICATION_DAYS = 15


@dataclass(frozen=True, slots=True)
class LineDraft:
    sku: str
    period_months: int
    domain_name: str | None = None
    parent_product_id: uuid.UUID | None = None


@dataclass(slots=True)
class _Priced:
    item: CatalogItem
    price_cents: int
    period_months: int
    name: str
    action: str = "NEW"
    domain_name: str | None = None
    parent: Any = None
    product_id: uuid.UUID | None = None
    external_domain: bool = False


def _fail(code: str, message: str | Text, index: int | None = None, field: str | None = None) -> Outcome[Any]:
    path = ("input", "lines", str(index), field) if index is not None and field else ("input",)
    return Outcome.fail(code, message, *path)


async def _catalog(session: AsyncSession, skus: set[str]) -> dict[str, tuple[CatalogItem, dict[int, int]]]:
    items = (await session.execute(select(CatalogItem).where(CatalogItem.sku.in_(skus)))).scalars().all()
    prices = (await session.execute(select(CatalogPrice).where(CatalogPrice.sku.in_(skus)))).scalars().all()
    table: dict[str, dict[int, int]] = {}
    for price in prices:
        table.setdefault(price.sku, {})[price.period_months] = price.price_cents
    return {i.sku: (i, table.get(i.sku, {})) for i in items}


async def _domain_taken(session: AsyncSession, name: str) -> bool:
    return bool(
        await session.scalar(
            select(func.count()).where(
                Product.kind == "DOMAIN", func.lower(Product.name) == name, Product.status.not_in(FINAL_STATUSES)
            )
        )
    )


async def _price_lines(
    ctx: Context, session: AsyncSession, grant: Grant, organization_id: uuid.UUID, drafts: list[LineDraft]
) -> list[_Priced] | Outcome[Any]:
    catalog = await _catalog(session, {d.sku for d in drafts})
    priced: list[_Priced] = []
    names_in_order: set[str] = set()
    uses: dict[int, order_domains.DomainUse] = {}
    for index, draft in enumerate(drafts):
        found = catalog.get(draft.sku)
        if found is None or not found[0].active:
            return _fail(
                "SKU_UNKNOWN", i18n.text("There is no product “{sku}” in the catalog.", sku=draft.sku), index, "sku"
            )
        item, prices = found
        if draft.period_months not in prices:
            offered = Either(sorted(prices))
            return _fail(
                "PERIOD_NOT_OFFERED",
                i18n.text("{product} is sold for {months} months.", product=item.name, months=offered),
                index,
                "periodMonths",
            )
        line = _Priced(item, prices[draft.period_months], draft.period_months, item.name)
        if item.kind == "DOMAIN":
            if not draft.domain_name:
                return _fail("DOMAIN_REQUIRED", "Enter the domain name to register.", index, "domainName")
            parsed = domains.parse_domain(draft.domain_name)
            if isinstance(parsed, domains.DomainProblem):
                return _fail(parsed.code, parsed.message, index, "domainName")
            if not parsed.second_level:
                return _fail(
                    "DOMAIN_INVALID", "Register the name and its extension only, e.g. example.it.", index, "domainName"
                )
            if parsed.tld != item.tld:
                return _fail(
                    "TLD_MISMATCH",
                    i18n.text("{product} registers .{tld} names only.", product=item.name, tld=item.tld),
                    index,
                    "domainName",
                )
            if parsed.ascii in names_in_order or await _domain_taken(session, parsed.ascii):
                return _fail(
                    "DOMAIN_UNAVAILABLE",
                    i18n.text("{domain} is not available.", domain=parsed.unicode),
                    index,
                    "domainName",
                )
            names_in_order.add(parsed.ascii)
            line.name = line.domain_name = parsed.ascii
        elif item.addon_for:
            if draft.parent_product_id is None:
                return _fail(
                    "PARENT_REQUIRED",
                    i18n.text("{product} is added to an existing product.", product=item.name),
                    index,
                    "parentProductId",
                )
            parent = await session.get(Product, draft.parent_product_id)
            if (
                parent is None
                or parent.organization_id != organization_id
                or not grant.sees_product(parent.id)
                or parent.status in FINAL_STATUSES
            ):
                return _fail("PARENT_NOT_FOUND", "The product to add this to was not found.", index, "parentProductId")
            if parent.kind not in item.addon_for:
                kinds = Either([kind_name(k) for k in item.addon_for])
                return _fail(
                    "ADDON_WRONG_KIND",
                    i18n.text("{product} goes with: {kinds}.", product=item.name, kinds=kinds),
                    index,
                    "parentProductId",
                )
            line.parent = parent
            line.name = f"{item.name} · {parent.name}"
        elif draft.domain_name:
            parsed = domains.parse_domain(draft.domain_name)
            if isinstance(parsed, domains.DomainProblem):
                return _fail(parsed.code, parsed.message, index, "domainName")
            line.name, line.domain_name = parsed.ascii, parsed.ascii
            if item.kind in order_domains.SERVES_A_DOMAIN:
                use = uses[index] = await order_domains.use_of(session, organization_id, parsed.ascii)
                if use.of_another_organization:
                    return _fail(
                        "DOMAIN_OF_ANOTHER_ORGANIZATION",
                        i18n.text("{domain} is a product of another organization.", domain=parsed.unicode),
                        index,
                        "domainName",
                    )
        priced.append(line)
    for index, use in uses.items():
        line = priced[index]
        line.external_domain = order_domains.external(line.domain_name or "", use, names_in_order)
    return priced


async def _order_number(session: AsyncSession, year: int) -> str:
    number = await session.scalar(text("SELECT nextval('order_number_seq')"))
    return f"ORD-{year}-{number:06d}"


@dataclass(frozen=True, slots=True)
class Extras:
    """What an order may carry beyond its lines."""

    billing_address_id: uuid.UUID | None = None
    promo_code: str | None = None
    free_credits: bool = False


async def _write_order(
    ctx: Context, session: AsyncSession, organization: Organization, lines: list[_Priced], extras: Extras = Extras()
) -> Order | Outcome[Any]:
    now = ctx.clock.now()
    # The VAT follows the address the invoice will be made out to; the order keeps that address.
    address = await invoices.billing_address_for(session, organization.id, extras.billing_address_id)
    customer = await invoices.snapshot(session, organization.id, address)
    treatment = await vat_for(session, customer, lines[0].item.vat_category, vies.checker(ctx.settings.vies))
    order = Order(
        id=new_id(),
        organization_id=organization.id,
        number=await _order_number(session, now.year),
        status=PENDING,
        currency=lines[0].item.currency,
        subtotal_cents=0,
        vat_cents=0,
        total_cents=0,
        vat_rate_basis_points=treatment.rate_basis_points,
        vat_note=treatment.note,
        placed_by_id=ctx.principal.user_id,
        billing_address_id=address.id if address is not None else None,
        promo_code=extras.promo_code.strip().upper() if extras.promo_code else None,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()

    def add_line(position: int, net: int, **fields: Any) -> None:
        vat = vat_cents(net, treatment.rate_basis_points) if net >= 0 else -vat_cents(-net, treatment.rate_basis_points)
        order.subtotal_cents += net
        order.vat_cents += vat
        session.add(
            OrderLine(
                id=new_id(),
                order_id=order.id,
                organization_id=organization.id,
                position=position,
                unit_price_cents=net,
                vat_cents=vat,
                total_cents=net + vat,
                **fields,
            )
        )

    for position, line in enumerate(lines):
        add_line(
            position,
            line.price_cents,
            action=line.action,
            sku=line.item.sku,
            kind=line.item.kind,
            **descriptions.columns(descriptions.product_line(line.name, line.period_months)),
            period_months=line.period_months,
            domain_name=line.domain_name,
            external_domain=line.external_domain,
            product_id=line.product_id,
            parent_product_id=line.parent.id if line.parent is not None else None,
        )
    net_by_kind: dict[str, int] = {}
    for line in lines:
        net_by_kind[line.item.kind] = net_by_kind.get(line.item.kind, 0) + line.price_cents
    # Free credits first (each for its kind), then the promo code on what is left: never below zero.
    found = await discounts.free_credits(session, organization.id, net_by_kind) if extras.free_credits else []
    for credit in found:
        net_by_kind[credit.kind or ""] -= credit.net_cents
    if extras.promo_code:
        promo = await discounts.promo(session, extras.promo_code, organization.id, order.id, net_by_kind, now)
        if isinstance(promo, discounts.DiscountProblem):
            return Outcome.fail(promo.code, promo.message, "input", "promoCode")
        found.append(promo)
    for offset, discount in enumerate(found, start=len(lines)):
        add_line(
            offset,
            -discount.net_cents,
            action="DISCOUNT",
            **descriptions.columns(discount.description),
            period_months=0,
            free_credit_id=discount.free_credit_id,
        )
    order.total_cents = order.subtotal_cents + order.vat_cents
    return order


class _Refused(Exception):
    """Raised inside an order's transaction to roll back everything it wrote, answering with `outcome`."""

    def __init__(self, outcome: Outcome[Any]) -> None:
        self.outcome = outcome


async def _written(
    ctx: Context, session: AsyncSession, organization: Organization, lines: list[_Priced], extras: Extras
) -> Order:
    order = await _write_order(ctx, session, organization, lines, extras)
    if isinstance(order, Outcome):
        raise _Refused(order)
    return order


async def place(
    ctx: Context, organization_id: uuid.UUID, drafts: list[LineDraft], extras: Extras = Extras()
) -> Outcome[Order]:
    if not drafts:
        return _fail("NO_LINES", "Add at least one product to the order.")
    if len(drafts) > MAX_LINES:
        return _fail("TOO_MANY_LINES", i18n.text("An order has at most {count} lines.", count=MAX_LINES))
    grant = await ctx.loaders.grant_by_organization_id.load(organization_id)
    assert grant is not None
    now = ctx.clock.now()
    try:
        async with ctx.db.begin() as session:
            organization = await session.get_one(Organization, organization_id)
            priced = await _price_lines(ctx, session, grant, organization_id, drafts)
            if isinstance(priced, Outcome):
                return priced
            if extras.billing_address_id is not None and not await _address_of(
                session, organization_id, extras.billing_address_id
            ):
                return Outcome.fail(
                    "BILLING_ADDRESS_NOT_FOUND",
                    "Choose one of the organization's billing addresses.",
                    "input",
                    "billingAddressId",
                )
            created = []
            for line in priced:
                # The product exists from the order on, PENDING_PAYMENT: it holds its domain name meanwhile.
                product = Product(
                    id=new_id(),
                    organization_id=organization_id,
                    kind=line.item.kind,
                    name=line.name,
                    name_trigrams=trigrams(line.name),
                    status=PENDING,
                    catalog_sku=line.item.sku,
                    parent_id=line.parent.id if line.parent is not None else None,
                    term_months=line.period_months,
                    auto_renew=True,
                    settings={},
                    created_at=now,
                    updated_at=now,
                )
                session.add(product)
                line.product_id = product.id
                created.append(product.id)
            await session.flush()
            order = await _written(ctx, session, organization, priced, replace(extras, free_credits=True))
            for product_id in created:
                await session.execute(update(Product).where(Product.id == product_id).values(order_id=order.id))
            if not grant.all_products:
                # What a limited member buys joins their own scope.
                await session.execute(
                    update(Membership)
                    .where(Membership.id == grant.membership_id)
                    .values(product_ids=func.array_cat(Membership.product_ids, created))
                )
            audit.record(session, ctx, organization_id, "order.place", ("Order", order.id), number=order.number)
    except _Refused as refused:
        return refused.outcome
    except IntegrityError as exc:
        if "uq_products_domain_name" in str(exc.orig):
            return _fail("DOMAIN_UNAVAILABLE", "One of the domain names was just taken.")
        raise
    return Outcome(order)


async def _address_of(session: AsyncSession, organization_id: uuid.UUID, address_id: uuid.UUID) -> bool:
    address = await session.get(BillingAddress, address_id)
    return address is not None and address.organization_id == organization_id and address.removed_at is None


async def renew(ctx: Context, product_id: uuid.UUID, period_months: int) -> Outcome[Order]:
    try:
        return await _renew(ctx, product_id, period_months)
    except _Refused as refused:
        return refused.outcome


async def _renew(ctx: Context, product_id: uuid.UUID, period_months: int) -> Outcome[Order]:
    async with ctx.db.begin() as session:
        product = await session.get_one(Product, product_id, with_for_update=True)
        # The rule admitted the caller in the organization the product was in before the lock (this request's
        # cached answer); a hand-off accepted meanwhile must not bill the receiver on the giver's word.
        if product.organization_id != await ctx.loaders.organization_of_product.load(product_id):
            raise NotFound
        if product.status not in RENEWABLE:
            return Outcome.fail(
                "NOT_RENEWABLE", "Only a product in use, suspended or expired can be renewed.", "input", "productId"
            )
        pending = await session.scalar(
            select(func.count())
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.product_id == product_id, Order.status == PENDING)
        )
        if pending:
            return Outcome.fail(
                "RENEWAL_PENDING", "An order for this product is already waiting for payment.", "input", "productId"
            )
        catalog = await _catalog(session, {product.catalog_sku})
        item, prices = catalog[product.catalog_sku]
        if period_months not in prices:
            offered = Either(sorted(prices))
            return Outcome.fail(
                "PERIOD_NOT_OFFERED",
                "{product} renews for {months} months.",
                "input",
                "periodMonths",
                product=item.name,
                months=offered,
            )
        organization = await session.get_one(Organization, product.organization_id)
        line = _Priced(item, prices[period_months], period_months, product.name, "RENEWAL", product_id=product.id)
        order = await _written(ctx, session, organization, [line], Extras(free_credits=True))
        await fees.add_reactivation_fee(session, order)
        audit.record(
            session, ctx, product.organization_id, "order.renewal", ("Product", product.id), number=order.number
        )
    return Outcome(order)


async def cancel(ctx: Context, order_id: uuid.UUID) -> Outcome[Order]:
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        order = await session.get_one(Order, order_id, with_for_update=True)
        if order.status != PENDING:
            return Outcome.fail(
                "NOT_PENDING", "Only an order waiting for payment can be cancelled.", "input", "orderId"
            )
        order.status, order.cancelled_at, order.updated_at = CANCELLED, now, now
        await discounts.give_back(session, order)
        undelivered = [Product.order_id == order.id, Product.status == PENDING]
        await product_status.change_where(session, undelivered, now, status="CANCELLED")
        audit.record(session, ctx, order.organization_id, "order.cancel", ("Order", order.id), number=order.number)
    return Outcome(order)


async def complete(session: AsyncSession, settings: Settings, order: Order, now: Any) -> None:
    """Deliver what a paid order bought: new products start, renewals extend. In the payer's transaction."""
    lines = (await session.execute(select(OrderLine).where(OrderLine.order_id == order.id))).scalars().all()
    for line in lines:
        if line.product_id is None:  # discounts and fees deliver nothing
            continue
        product = await session.get_one(Product, line.product_id, with_for_update=True)
        previous = product.status
        if line.action == "RENEWAL":
            start = product.expires_at if product.expires_at and product.expires_at > now else now
            product.expires_at = add_months(start, line.period_months)
            product.term_months = line.period_months
            if product.status in ("EXPIRED",) or (
                product.status == "SUSPENDED" and product.suspended_reason == "NON_PAYMENT"
            ):
                product.status, product.suspended_reason = "ACTIVE", None
        else:
            product.activated_at = now
            product.expires_at = add_months(now, line.period_months)
            product.status = "TO_CONFIGURE" if product.kind in NEEDS_CONFIGURATION else "ACTIVE"
            if product.kind == "DOMAIN":
                await _start_domain(session, settings, order, product, now)
        product.updated_at = now
        await product_status.changed(session, product, previous, now)
    order.status, order.paid_at, order.updated_at = PAID, now, now
    await webhook_events.emit(session, order.organization_id, "order.paid", webhook_events.order_paid(order), now)


async def _start_domain(session: AsyncSession, settings: Settings, order: Order, product: Product, now: Any) -> None:
    organization = await session.get_one(Organization, order.organization_id)
    placed_by = await session.get(User, order.placed_by_id) if order.placed_by_id else None
    product.registrant = {
        "type": "COMPANY" if organization.kind == "COMPANY" else "PERSON",
        "name": organization.legal_name,
        "organization": organization.legal_name if organization.kind == "COMPANY" else None,
        "email": placed_by.email if placed_by else None,
        "phone": organization.phone,
        "street": organization.street,
        "postalCode": organization.postal_code,
        "city": organization.city,
        "province": organization.province,
        "country": organization.country,
        "taxCode": organization.tax_code,
    }
    item = await session.get_one(CatalogItem, product.catalog_sku)
    if item.requires_verification and placed_by is not None:
        product.verification_status = "PENDING"
        product.verification_deadline = now + timedelta(days=VERIFICATION_DAYS)
        await verification.send(session, settings, product, placed_by.email, placed_by.language, now)
    else:
        product.verification_status = None
