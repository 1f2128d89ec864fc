"""Promo codes and free credits, applied when an order is placed and given back if it is cancelled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import FreeCredit, Order, OrderLine, PromoCode, PromoRedemption
from gateway.i18n import Text, text


@dataclass(frozen=True, slots=True)
class Discount:
    description: Text
    net_cents: int  # positive: how much comes off
    free_credit_id: uuid.UUID | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class DiscountProblem:
    code: str
    message: str


async def promo(
    session: AsyncSession,
    code: str,
    organization_id: uuid.UUID,
    order_id: uuid.UUID,
    net_by_kind: dict[str, int],
    now: datetime,
) -> Discount | DiscountProblem:
    """Redeem `code` for this order: one use per organization, within its window and maximum uses."""
    promo_code = await session.get(PromoCode, code.strip().upper())
    if promo_code is None or not promo_code.valid_from <= now < promo_code.valid_until:
        return DiscountProblem("PROMO_INVALID", "This promo code does not exist or is not valid now.")
    eligible = sum(net for kind, net in net_by_kind.items() if not promo_code.kinds or kind in promo_code.kinds)
    if eligible == 0:
        return DiscountProblem("PROMO_NOT_APPLICABLE", "This promo code does not apply to these products.")
    used = await session.scalar(
        update(PromoCode)
        .where(
            PromoCode.code == promo_code.code,
            or_(PromoCode.max_uses.is_(None), PromoCode.uses < PromoCode.max_uses),
        )
        .values(uses=PromoCode.uses + 1)
        .returning(PromoCode.code)
    )
    if used is None:
        return DiscountProblem("PROMO_EXHAUSTED", "This promo code has been used up.")
    redeemed = await session.scalar(
        insert(PromoRedemption)
        .values(code=promo_code.code, organization_id=organization_id, order_id=order_id, redeemed_at=now)
        .on_conflict_do_nothing()
        .returning(PromoRedemption.code)
    )
    if redeemed is None:
        return DiscountProblem("PROMO_ALREADY_USED", "Your organization has already used this promo code.")
    if promo_code.percent_off:
        off = (eligible * promo_code.percent_off + 50) // 100
    else:
        off = min(eligible, promo_code.amount_off_cents or 0)
    # The promo code's own description is catalog text, written once by staff: it reads as written.
    described = text("Promo code {code}: {description}", code=promo_code.code, description=promo_code.description)
    return Discount(described, off)


async def free_credits(
    session: AsyncSession, organization_id: uuid.UUID, net_by_kind: dict[str, int]
) -> list[Discount]:
    """Spend the organization's free credits on the lines of their kind, oldest credit first."""
    credits = (
        await session.execute(
            select(FreeCredit)
            .where(
                FreeCredit.organization_id == organization_id,
                FreeCredit.remaining_cents > 0,
                FreeCredit.kind.in_(list(net_by_kind)),
            )
            .order_by(FreeCredit.granted_at)
            .with_for_update()
        )
    ).scalars()
    left = dict(net_by_kind)
    spent: list[Discount] = []
    for credit in credits:
        take = min(credit.remaining_cents, left.get(credit.kind, 0))
        if take <= 0:
            continue
        credit.remaining_cents -= take
        left[credit.kind] -= take
        spent.append(Discount(text("Free credit: {reason}", reason=credit.reason), take, credit.id, credit.kind))
    return spent


async def give_back(session: AsyncSession, order: Order) -> None:
    """A cancelled order returns its promo use and the free credit it spent."""
    redeemed = await session.scalar(
        delete(PromoRedemption).where(PromoRedemption.order_id == order.id).returning(PromoRedemption.code)
    )
    if redeemed is not None:
        await session.execute(update(PromoCode).where(PromoCode.code == redeemed).values(uses=PromoCode.uses - 1))
    lines = (
        await session.execute(
            select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.free_credit_id.is_not(None))
        )
    ).scalars()
    for line in lines:
        await session.execute(
            update(FreeCredit)
            .where(FreeCredit.id == line.free_credit_id)
            .values(remaining_cents=FreeCredit.remaining_cents - line.unit_price_cents)  # the line's net is negative
        )
