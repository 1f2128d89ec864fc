"""Paying orders and topping up the prepaid account: idempotent, one transaction each, never twice.

Card and PayPal charges happen while the order row is locked, inside the transaction that
records them: a second attempt on the same order waits, then finds it paid. The wait is
bounded by the provider's timeout; it is the price of never charging an order twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import Invoice, Order, Payment
from gateway.i18n import N_, Money, Text, text
from resolvers import audit, idempotency, invoices, orders, prepaid
from resolvers.context import Context
from resolvers.payment_provider import PaymentSource, ProviderTimeout, provider_named
from resolvers.results import Outcome, Problem

METHODS = ("PREPAID", "CARD", "PAYPAL", "BANK_TRANSFER")
MIN_TOP_UP, MAX_TOP_UP = 1_000, 1_000_000


@dataclass(slots=True)
class PaymentResult:
    status: str  # SUCCEEDED, DECLINED, FAILED, PENDING, or REFUSED (nothing attempted)
    order_id: str | None = None
    payment_id: str | None = None
    invoice_id: str | None = None
    balance_cents: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "orderId": self.order_id,
            "paymentId": self.payment_id,
            "invoiceId": self.invoice_id,
            "balanceCents": self.balance_cents,
            "problems": [
                {"code": p.code, "message": p.message, "params": p.params, "field": list(p.field or ())}
                for p in self.problems
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaymentResult:
        return cls(
            status=data["status"],
            order_id=data["orderId"],
            payment_id=data["paymentId"],
            invoice_id=data["invoiceId"],
            balance_cents=data.get("balanceCents"),
            problems=[
                Problem(p["code"], p["message"], tuple(p["field"]) or None, p.get("params")) for p in data["problems"]
            ],
        )


def _refused(code: str, message: str | Text, *path: str) -> PaymentResult:
    return PaymentResult("REFUSED", problems=[Problem(code, message, path or None)])


async def _idempotent(
    ctx: Context, organization_id: uuid.UUID, key: str, operation: str, request: dict[str, Any], work: Any
) -> PaymentResult:
    async def replay(stored: dict[str, Any]) -> PaymentResult:
        return PaymentResult.from_json(stored)

    return await idempotency.once(
        ctx,
        organization_id,
        key,
        operation,
        request,
        work,
        replay=replay,
        refused=lambda code, message: _refused(code, message, "input", "idempotencyKey"),
    )


def _payment(
    ctx: Context, order: Order | None, organization_id: uuid.UUID, purpose: str, method: str, amount: int
) -> Payment:
    return Payment(
        id=new_id(),
        organization_id=organization_id,
        order_id=order.id if order else None,
        purpose=purpose,
        method=method,
        status="PENDING",
        amount_cents=amount,
        currency=order.currency if order else prepaid.CURRENCY,
        created_by_id=ctx.principal.user_id,
        created_at=ctx.clock.now(),
    )


async def _settle(session: AsyncSession, settings: Any, order: Order, payment: Payment, now: Any) -> Invoice:
    """The money is in: deliver the order and issue its invoice, in the payment's transaction."""
    payment.status = "SUCCEEDED"
    await orders.complete(session, settings, order, now)
    return await invoices.issue(session, order, payment.method, now)


async def pay_order(ctx: Context, order_id: uuid.UUID, method: str, key: str, source: PaymentSource) -> PaymentResult:
    order_row = await ctx.loaders.order_by_id.load(order_id)
    organization_id = order_row.organization_id
    request = {"orderId": str(order_id), "method": method, "source": [source.card_number, source.paypal_email]}

    async def work() -> PaymentResult:
        async with ctx.db.begin() as session:
            await idempotency.hold(session, organization_id, key)
            order = (await session.execute(select(Order).where(Order.id == order_id).with_for_update())).scalar_one()
            result = await _pay_locked(ctx, session, order, method, source)
            await idempotency.record(session, organization_id, key, result.as_json())
        return result

    return await _idempotent(ctx, organization_id, key, "payOrder", request, work)


async def _pay_locked(
    ctx: Context, session: AsyncSession, order: Order, method: str, source: PaymentSource
) -> PaymentResult:
    if order.status != orders.PENDING:
        return _refused(
            "ORDER_NOT_PENDING",
            text("Order {number} is not waiting for payment.", number=order.number),
            "input",
            "orderId",
        )
    # Under the order's lock: a transfer the customer was told to make excludes every other method,
    # until they withdraw it (cancelBankTransfer). Otherwise both could arrive.
    waiting = await _waiting_transfer(session, order)
    if waiting is not None:
        if method == "BANK_TRANSFER":  # the same instructions again, not a second transfer
            return PaymentResult("PENDING", order_id=str(order.id), payment_id=str(waiting.id))
        return _refused(
            "BANK_TRANSFER_PENDING",
            text(
                "Order {number} waits for a bank transfer. Cancel the transfer (cancelBankTransfer) "
                "before paying another way.",
                number=order.number,
            ),
            "input",
            "method",
        )
    payment = _payment(ctx, order, order.organization_id, "ORDER", method, order.total_cents)
    session.add(payment)
    result = PaymentResult("PENDING", order_id=str(order.id), payment_id=str(payment.id))
    if method == "PREPAID":
        balance = await prepaid.debit(
            session,
            order.organization_id,
            order.total_cents,
            "PAYMENT",
            text("Order {number}", number=order.number),
            ctx.clock.now(),
            created_by=ctx.principal.user_id,
            order_id=order.id,
            payment_id=payment.id,
        )
        if balance is None:
            payment.status, payment.failure = "DECLINED", N_("The prepaid balance did not cover it.")
            result.status = "DECLINED"
            result.problems.append(
                Problem("INSUFFICIENT_FUNDS", "The prepaid balance does not cover this order.", ("input", "method"))
            )
            return result
        result.balance_cents = balance
    elif method in ("CARD", "PAYPAL"):
        try:
            charge = await provider_named(ctx.settings.payment_provider).charge(
                order.total_cents, order.currency, source, f"order:{order.id}"
            )
        except ProviderTimeout:
            payment.status, payment.failure = "FAILED", N_("The payment service did not answer in time.")
            result.status = "FAILED"
            result.problems.append(
                Problem(
                    "PROVIDER_TIMEOUT",
                    "The payment service did not answer; nothing was charged here. Try again with a new key.",
                    None,
                )
            )
            return result
        payment.provider_reference = charge.reference
        if not charge.succeeded:
            payment.status, payment.failure = "DECLINED", charge.message
            result.status = "DECLINED"
            result.problems.append(
                Problem("PAYMENT_DECLINED", charge.message or N_("The payment was declined."), ("input", "source"))
            )
            return result
    else:  # BANK_TRANSFER: stays pending until staff reconcile the transfer
        payment.provider_reference = order.number
        return result
    result.status = "SUCCEEDED"
    invoice = await _settle(session, ctx.settings, order, payment, ctx.clock.now())
    result.invoice_id = str(invoice.id)
    return result


async def top_up(
    ctx: Context, organization_id: uuid.UUID, amount_cents: int, method: str, key: str, source: PaymentSource
) -> PaymentResult:
    if not MIN_TOP_UP <= amount_cents <= MAX_TOP_UP:
        return _refused(
            "AMOUNT_OUT_OF_RANGE",
            text("Top up between {low} and {high}.", low=Money(MIN_TOP_UP), high=Money(MAX_TOP_UP)),
            "input",
            "amountCents",
        )
    if method not in ("CARD", "PAYPAL"):
        return _refused("METHOD_NOT_ALLOWED", "Top up by card or PayPal.", "input", "method")
    request = {"amountCents": amount_cents, "method": method, "source": [source.card_number, source.paypal_email]}

    async def work() -> PaymentResult:
        async with ctx.db.begin() as session:
            await idempotency.hold(session, organization_id, key)
            payment = _payment(ctx, None, organization_id, "TOP_UP", method, amount_cents)
            session.add(payment)
            result = PaymentResult("PENDING", payment_id=str(payment.id))
            try:
                charge = await provider_named(ctx.settings.payment_provider).charge(
                    amount_cents, prepaid.CURRENCY, source, f"topup:{payment.id}"
                )
            except ProviderTimeout:
                payment.status, payment.failure = "FAILED", N_("The payment service did not answer in time.")
                result.status = "FAILED"
                result.problems.append(
                    Problem("PROVIDER_TIMEOUT", "The payment service did not answer; try again with a new key.", None)
                )
            else:
                payment.provider_reference = charge.reference
                if charge.succeeded:
                    payment.status = result.status = "SUCCEEDED"
                    result.balance_cents = await prepaid.credit(
                        session,
                        organization_id,
                        amount_cents,
                        "TOP_UP",
                        text("Top-up {reference}", reference=charge.reference),
                        ctx.clock.now(),
                        created_by=ctx.principal.user_id,
                        payment_id=payment.id,
                    )
                else:
                    payment.status, payment.failure = "DECLINED", charge.message
                    result.status = "DECLINED"
                    result.problems.append(
                        Problem(
                            "PAYMENT_DECLINED", charge.message or N_("The payment was declined."), ("input", "source")
                        )
                    )
            await idempotency.record(session, organization_id, key, result.as_json())
        return result

    return await _idempotent(ctx, organization_id, key, "topUpPrepaid", request, work)


async def settle_by_staff(
    session: AsyncSession, ctx_settings: Any, order: Order, method: str, reference: str, now: Any
) -> str:
    """Staff record money that arrived outside the gateway (a bank transfer): the order is paid and invoiced."""
    payment = (
        (
            await session.execute(
                select(Payment).where(Payment.order_id == order.id, Payment.status == "PENDING").with_for_update()
            )
        )
        .scalars()
        .first()
    )
    if payment is None:
        payment = Payment(
            id=new_id(),
            organization_id=order.organization_id,
            order_id=order.id,
            purpose="ORDER",
            method=method,
            status="PENDING",
            amount_cents=order.total_cents,
            currency=order.currency,
            created_at=now,
        )
        session.add(payment)
    payment.provider_reference = reference
    return (await _settle(session, ctx_settings, order, payment, now)).number


async def _waiting_transfer(session: AsyncSession, order: Order) -> Payment | None:
    return (
        (
            await session.execute(
                select(Payment)
                .where(Payment.order_id == order.id, Payment.method == "BANK_TRANSFER", Payment.status == "PENDING")
                .with_for_update()
            )
        )
        .scalars()
        .first()
    )


async def cancel_bank_transfer(ctx: Context, order_id: uuid.UUID) -> Outcome[Payment]:
    """The customer will not make the transfer after all: its instructions are withdrawn, and the order
    may be paid another way. A transfer that arrives anyway is for staff to refund or reconcile."""
    async with ctx.db.begin() as session:
        order = (await session.execute(select(Order).where(Order.id == order_id).with_for_update())).scalar_one()
        if order.status != orders.PENDING:
            return Outcome.fail(
                "ORDER_NOT_PENDING",
                "Order {number} is not waiting for payment.",
                "input",
                "orderId",
                number=order.number,
            )
        payment = await _waiting_transfer(session, order)
        if payment is None:
            return Outcome.fail(
                "NO_BANK_TRANSFER_PENDING",
                "Order {number} does not wait for a bank transfer.",
                "input",
                "orderId",
                number=order.number,
            )
        payment.status, payment.failure = "CANCELLED", N_("The customer withdrew the bank transfer.")
        audit.record(
            session, ctx, order.organization_id, "payment.cancel_transfer", ("Order", order.id), number=order.number
        )
    return Outcome(payment)
