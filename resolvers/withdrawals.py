"""Money out of the prepaid account, towards a bank account or PayPal; staff pay it out.

Idempotent like payOrder: the key is claimed before the balance moves, the answer (success or
refusal) is stored in the transaction that made it true, a retry replays it, and a different
request under the same key is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

from gateway.db.base import new_id
from gateway.db.models import Withdrawal
from gateway.i18n import text
from resolvers import audit, idempotency, legal, prepaid
from resolvers.context import Context
from resolvers.emails import normalize_email
from resolvers.results import Outcome, Problem


def _answer(withdrawal_id: uuid.UUID | None, problems: list[Problem]) -> dict[str, Any]:
    return {
        "withdrawalId": str(withdrawal_id) if withdrawal_id else None,
        "problems": [
            {"code": p.code, "message": p.message, "params": p.params, "field": list(p.field or ())} for p in problems
        ],
    }


async def _replayed(ctx: Context, answer: dict[str, Any]) -> Outcome[Withdrawal]:
    problems = [
        Problem(p["code"], p["message"], tuple(p["field"]) or None, p.get("params")) for p in answer["problems"]
    ]
    if answer["withdrawalId"] is None:
        return Outcome(problems=problems)
    async with ctx.reads() as session:
        return Outcome(await session.get_one(Withdrawal, uuid.UUID(answer["withdrawalId"])), problems)


def _destination(iban: str | None, paypal_email: str | None) -> dict[str, str] | Outcome[Withdrawal]:
    if (iban is None) == (paypal_email is None):
        return Outcome.fail("DESTINATION_REQUIRED", "Give either an IBAN or a PayPal address.", "input", "destination")
    if iban is not None:
        compact = iban.replace(" ", "").upper()
        if not legal.iban_ok(compact):
            return Outcome.fail("IBAN_INVALID", "This IBAN is not valid.", "input", "destination", "iban")
        return {"iban": compact}
    email = normalize_email(paypal_email or "")
    if email is None:
        return Outcome.fail(
            "PAYPAL_INVALID", "Enter the PayPal account's email.", "input", "destination", "paypalEmail"
        )
    return {"paypalEmail": email}


async def withdraw(
    ctx: Context, organization_id: uuid.UUID, amount_cents: int, iban: str | None, paypal_email: str | None, key: str
) -> Outcome[Withdrawal]:
    # Refusals of the request itself move nothing and claim no key (as payOrder's do).
    if amount_cents <= 0:
        return Outcome.fail("AMOUNT_OUT_OF_RANGE", "Withdraw a positive amount.", "input", "amountCents")
    destination = _destination(iban, paypal_email)
    if isinstance(destination, Outcome):
        return destination
    request = {"amountCents": amount_cents, "destination": destination}
    return await idempotency.once(
        ctx,
        organization_id,
        key,
        "withdrawPrepaid",
        request,
        lambda: _withdraw(ctx, organization_id, amount_cents, destination, key),
        replay=lambda stored: _replayed(ctx, stored),
        refused=lambda code, message: Outcome.fail(code, message, "input", "idempotencyKey"),
    )


async def _withdraw(
    ctx: Context, organization_id: uuid.UUID, amount_cents: int, destination: dict[str, str], key: str
) -> Outcome[Withdrawal]:
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        await idempotency.hold(session, organization_id, key)
        balance = await prepaid.debit(
            session,
            organization_id,
            amount_cents,
            "WITHDRAWAL",
            text("Withdrawal requested"),
            now,
            created_by=ctx.principal.user_id,
        )
        if balance is None:
            outcome: Outcome[Withdrawal] = Outcome.fail(
                "INSUFFICIENT_FUNDS", "The prepaid balance is smaller than this amount.", "input", "amountCents"
            )
            await idempotency.record(session, organization_id, key, _answer(None, outcome.problems))
            return outcome
        withdrawal = Withdrawal(
            id=new_id(),
            organization_id=organization_id,
            amount_cents=amount_cents,
            currency=prepaid.CURRENCY,
            destination=destination,
            status="REQUESTED",
            requested_by_id=ctx.principal.user_id,
            created_at=now,
        )
        session.add(withdrawal)
        audit.record(session, ctx, organization_id, "prepaid.withdraw", None, amountCents=amount_cents, **destination)
        await idempotency.record(session, organization_id, key, _answer(withdrawal.id, []))
    return Outcome(withdrawal)
