"""Renewals and suspensions, run by the jobs: expiry notices, auto-renewal from the prepaid account,
expiry, and suspension of what stays unpaid past its grace period.

Every step claims its rows with a conditional statement, so two runs (or two processes) do it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import (
    CatalogPrice,
    ExpiryNotice,
    Order,
    OrderLine,
    Payment,
    Product,
    User,
)
from gateway.i18n import N_, Money, Text, local_date
from gateway.settings import Settings
from permissions.caller import member_rows
from permissions.policy import membership_holds, membership_sees
from permissions.rights import Right
from resolvers import descriptions, fees, invoices, mail, orders, prepaid, product_status, vies, webhook_events
from resolvers.domains import display_name
from resolvers.pricing import vat_cents, vat_for
from resolvers.vies import ViesCheck

NOTICE_DAYS = (30, 7, 1)
LIVE = ("ACTIVE", "TO_CONFIGURE", "SUSPENDED")


async def _members_for(session: AsyncSession, product: Product, topic: str, right: Right) -> list[User]:
    """Who is mailed about `product`: subscribed to `topic`, holding `right`, with the product in scope.
    The same policy as every read: a notice must not tell a member about a product they may not see."""
    members = member_rows().subquery("member")
    rows = await session.execute(
        select(User)
        .join(members, members.c.user_id == User.id)
        .where(
            members.c.organization_id == product.organization_id,
            members.c.topics.contains([topic]),
            membership_holds(members.c, right),
            membership_sees(members.c, literal(product.id)),
        )
    )
    return list(rows.scalars())


async def send_expiry_notices(session: AsyncSession, now: datetime) -> int:
    """One notice per product and threshold: the nearest of 30, 7 and 1 days that has been reached."""
    sent = 0
    products = (
        await session.execute(
            select(Product).where(
                Product.status.in_(LIVE),
                Product.expires_at > now,
                Product.expires_at <= now + timedelta(days=max(NOTICE_DAYS)),
                Product.cancellation_effective_at.is_(None),
            )
        )
    ).scalars()
    for product in products:
        days = min(d for d in NOTICE_DAYS if product.expires_at <= now + timedelta(days=d))  # type: ignore[operator]
        claimed = await session.scalar(
            insert(ExpiryNotice)
            .values(product_id=product.id, expires_at=product.expires_at, days_before=days, sent_at=now)
            .on_conflict_do_nothing()
            .returning(ExpiryNotice.product_id)
        )
        if claimed is None:
            continue
        data = webhook_events.product_expiring(product, days)
        await webhook_events.emit(session, product.organization_id, "product.expiring", data, now)
        for user in await _members_for(session, product, "EXPIRY", Right.VIEW_PRODUCTS):
            mail.enqueue(
                session,
                kind="expiry_notice",
                recipient=user.email,
                language=user.language,
                now=now,
                product=display_name(product.name),
                days=str(days),
                date=local_date(product.expires_at),  # type: ignore[arg-type]
                renewal=Text(N_("auto-renewal on") if product.auto_renew else N_("auto-renewal off")),
            )
        sent += 1
    return sent


async def renew_due(session: AsyncSession, settings: Settings, now: datetime) -> tuple[int, int]:
    """At expiry, products on auto-renew get a renewal order, paid from the prepaid account when it
    covers it. Returns (renewed and paid, left to pay)."""
    pending_renewal = exists(
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == Product.id, Order.status == orders.PENDING)
    )
    due = (
        (
            await session.execute(
                select(Product)
                .where(
                    Product.auto_renew.is_(True),
                    Product.status.in_(("ACTIVE", "TO_CONFIGURE")),
                    Product.expires_at <= now,
                    Product.cancellation_effective_at.is_(None),
                    ~pending_renewal,
                )
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    paid = left = 0
    for product in due:
        order = await renewal_order(session, product, now, vies.checker(settings.vies))
        if order is None:
            continue
        balance = await prepaid.debit(
            session,
            product.organization_id,
            order.total_cents,
            "PAYMENT",
            Text("Automatic renewal {number}", {"number": order.number}),
            now,
            order_id=order.id,
        )
        if balance is not None:
            session.add(
                Payment(
                    id=new_id(),
                    organization_id=product.organization_id,
                    order_id=order.id,
                    purpose="ORDER",
                    method="PREPAID",
                    status="SUCCEEDED",
                    amount_cents=order.total_cents,
                    currency=order.currency,
                    created_at=now,
                )
            )
            await orders.complete(session, settings, order, now)
            await invoices.issue(session, order, "PREPAID", now)
            paid += 1
        else:
            await _tell_payers(session, product, order, now)
            left += 1
    return paid, left


async def renewal_order(session: AsyncSession, product: Product, now: datetime, checker: ViesCheck) -> Order | None:
    """An order renewing `product` for its term at the catalog price, due at its expiry, billed to the
    organization's default address."""
    price = await session.scalar(
        select(CatalogPrice.price_cents).where(
            CatalogPrice.sku == product.catalog_sku, CatalogPrice.period_months == product.term_months
        )
    )
    if price is None:
        return None
    address = await invoices.billing_address_for(session, product.organization_id, None)
    customer = await invoices.snapshot(session, product.organization_id, address)
    treatment = await vat_for(session, customer, "STANDARD", checker)
    vat = vat_cents(price, treatment.rate_basis_points)
    number = await session.scalar(text("SELECT nextval('order_number_seq')"))
    order = Order(
        id=new_id(),
        organization_id=product.organization_id,
        number=f"ORD-{now.year}-{number:06d}",
        status=orders.PENDING,
        currency="EUR",
        subtotal_cents=price,
        vat_cents=vat,
        total_cents=price + vat,
        vat_rate_basis_points=treatment.rate_basis_points,
        vat_note=treatment.note,
        billing_address_id=address.id if address is not None else None,
        due_at=product.expires_at,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    session.add(
        OrderLine(
            id=new_id(),
            order_id=order.id,
            organization_id=product.organization_id,
            position=0,
            action="RENEWAL",
            sku=product.catalog_sku,
            kind=product.kind,
            **descriptions.columns(descriptions.renewal_line(product.name, product.term_months)),
            period_months=product.term_months,
            product_id=product.id,
            unit_price_cents=price,
            vat_cents=vat,
            total_cents=price + vat,
        )
    )
    await session.flush()  # paying it may follow in this transaction, and reads its lines
    return order


async def _tell_payers(session: AsyncSession, product: Product, order: Order, now: datetime) -> None:
    for user in await _members_for(session, product, "BILLING", Right.PAY):
        mail.enqueue(
            session,
            kind="renewal_to_pay",
            recipient=user.email,
            language=user.language,
            now=now,
            product=display_name(product.name),
            number=order.number,
            total=Money(order.total_cents, order.currency),
        )


async def expire_lapsed(session: AsyncSession, now: datetime) -> int:
    """Products not on auto-renew end at their expiry."""
    lapsed = [Product.auto_renew.is_(False), Product.status.in_(LIVE), Product.expires_at <= now]
    return await product_status.change_where(session, lapsed, now, status="EXPIRED")


async def suspend_unpaid(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Renewals still unpaid past their due date plus the grace period suspend their products, and the
    reactivation fee joins the renewal order at once, so the customer sees it before paying.

    Each order is locked first (skipping one a payment holds right now: it will be paid, or seen by the
    next run), so no payment charges the order's total while the fee is added to it."""
    overdue = (
        (
            await session.execute(
                select(Order)
                .where(
                    Order.status == orders.PENDING,
                    Order.due_at.is_not(None),
                    Order.due_at <= now - settings.payment_grace,
                    exists(select(OrderLine.id).where(OrderLine.order_id == Order.id, OrderLine.action == "RENEWAL")),
                )
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    suspended = 0
    for order in overdue:
        renewed = select(OrderLine.product_id).where(OrderLine.order_id == order.id, OrderLine.action == "RENEWAL")
        live = [Product.id.in_(renewed), Product.status.in_(("ACTIVE", "TO_CONFIGURE"))]
        suspended += await product_status.change_where(
            session, live, now, status="SUSPENDED", suspended_reason="NON_PAYMENT"
        )
        await fees.add_reactivation_fee(session, order)
    return suspended
