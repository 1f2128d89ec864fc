"""Money the gateway does not charge, recorded by the provider's billing staff: bank transfers that arrived,
orders paid by other means, free credits and promo codes.

One implementation for both ways in: the `staff*` mutations (a staff member, audited as staff) and the
`gateway` CLI (the operator at the server, audited as the gateway itself). Each call is one transaction;
a refusal is a coded `Problem`, rendered in the reader's language by the mutation and in English by the CLI.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.base import new_id
from gateway.db.models import FreeCredit, Order, Organization, PromoCode
from gateway.i18n import text
from gateway.settings import Settings
from permissions.principal import ANONYMOUS, Principal
from resolvers import audit, orders, payments
from resolvers.pricing import plain_amount
from resolvers.results import Outcome

CREDIT_KINDS = (
    "DOMAIN",
    "HOSTING",
    "WORDPRESS_HOSTING",
    "MAIL",
    "SSL",
    "SERVER",
    "BACKUP",
    "DNS_ANYCAST",
    "DOMAIN_PRIVACY",
    "RENEWAL_WARRANTY",
)
SETTLE_METHODS = ("BANK_TRANSFER", "MANUAL")
MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class Operator:
    """Who records it: a staff member's principal, or nobody signed in (the CLI, audited as the gateway)."""

    principal: Principal
    ip: str | None
    now: datetime


@dataclass(frozen=True, slots=True)
class Settled:
    order: Any
    invoice_number: str


def _fail(code: str, message: Any, field: str, **params: Any) -> Outcome[Any]:
    return Outcome.fail(code, message, "input", field, **params)


def _audit(
    session: AsyncSession, operator: Operator, organization_id: uuid.UUID, action: str, target: Any, **details: Any
) -> None:
    session.add(audit.entry(operator.principal, operator.ip, operator.now, organization_id, action, target, details))


async def settle_order(
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    operator: Operator,
    order_id: uuid.UUID | None,
    number: str | None,
    method: str,
    payment_reference: str,
) -> Outcome[Settled]:
    """An order waiting for payment is paid by money that arrived outside the gateway: invoiced and delivered."""
    if method not in SETTLE_METHODS:
        return _fail("METHOD_INVALID", "The method is BANK_TRANSFER or MANUAL.", "method")
    if not payment_reference.strip() or len(payment_reference) > MAX_REASON:
        return _fail("REFERENCE_REQUIRED", "Give the payment's reference (at most 300 characters).", "reference")
    async with db.begin() as session:
        stmt = select(Order).with_for_update()
        stmt = (
            stmt.where(Order.id == order_id)
            if order_id is not None
            else stmt.where(Order.number == (number or "").strip())
        )
        order = (await session.execute(stmt)).scalar_one_or_none()
        if order is None:
            return _fail("ORDER_NOT_FOUND", "No order {reference}.", "orderId", reference=number or "")
        if order.status != orders.PENDING:
            return _fail(
                "ORDER_NOT_PENDING",
                "Order {number} is {status}, not waiting for payment.",
                "orderId",
                number=order.number,
                status=order.status,
            )
        invoice = await payments.settle_by_staff(
            session, settings, order, method, payment_reference.strip(), operator.now
        )
        _audit(
            session,
            operator,
            order.organization_id,
            "staff.order_settled",
            ("Order", order.id),
            order=order.number,
            invoice=invoice,
            method=method,
            reference=payment_reference.strip(),
        )
        return Outcome(Settled(order, invoice))


async def grant_credit(
    db: async_sessionmaker[AsyncSession],
    operator: Operator,
    organization_id: uuid.UUID | None,
    kind: str,
    amount_cents: int,
    reason: str,
) -> Outcome[Any]:
    """Credit for one kind of product, spent at the organization's next checkouts."""
    if kind not in CREDIT_KINDS:
        return _fail(
            "KIND_INVALID", text("A credit is for one kind of product: {kinds}.", kinds=list(CREDIT_KINDS)), "kind"
        )
    if amount_cents <= 0:
        return _fail("AMOUNT_INVALID", "The amount is a positive number of cents.", "amountCents")
    if not reason.strip() or len(reason) > MAX_REASON:
        return _fail("REASON_REQUIRED", "Give a reason (at most 300 characters).", "reason")
    async with db.begin() as session:
        org = await session.get(Organization, organization_id) if organization_id is not None else None
        if org is None or org.deleted_at is not None:
            return _fail("ORGANIZATION_NOT_FOUND", "No such organization.", "organizationId")
        credit = FreeCredit(
            id=new_id(),
            organization_id=org.id,
            kind=kind,
            amount_cents=amount_cents,
            remaining_cents=amount_cents,
            reason=reason.strip(),
            granted_at=operator.now,
        )
        session.add(credit)
        _audit(
            session,
            operator,
            org.id,
            "staff.credit_granted",
            ("Organization", org.id),
            kind=kind,
            amountCents=amount_cents,
            amount=plain_amount(amount_cents),
            reason=reason.strip(),
        )
        return Outcome((credit, org))


@dataclass(frozen=True, slots=True)
class PromoDraft:
    code: str
    description: str
    percent_off: int | None
    amount_off_cents: int | None
    kinds: list[str]
    valid_from: datetime
    valid_until: datetime
    max_uses: int | None


def _promo_problem(draft: PromoDraft) -> Outcome[Any] | None:
    if not draft.code.strip() or len(draft.code.strip()) > 40:
        return _fail("CODE_INVALID", "A promo code has 1 to 40 characters.", "code")
    if not draft.description.strip() or len(draft.description) > MAX_REASON:
        return _fail("DESCRIPTION_REQUIRED", "Give a description (at most 300 characters).", "description")
    if (draft.percent_off is None) == (draft.amount_off_cents is None):
        return _fail("DISCOUNT_INVALID", "Give either a percentage or an amount off.", "percentOff")
    if draft.percent_off is not None and not 1 <= draft.percent_off <= 100:
        return _fail("DISCOUNT_INVALID", "The percentage is between 1 and 100.", "percentOff")
    if draft.amount_off_cents is not None and draft.amount_off_cents <= 0:
        return _fail("DISCOUNT_INVALID", "The amount off is a positive number of cents.", "amountOffCents")
    if any(kind not in CREDIT_KINDS for kind in draft.kinds):
        return _fail("KIND_INVALID", text("Kinds are among: {kinds}.", kinds=list(CREDIT_KINDS)), "kinds")
    if draft.valid_from.tzinfo is None or draft.valid_until.tzinfo is None:
        return _fail("TIME_WITHOUT_OFFSET", "Give times with their UTC offset.", "validFrom")
    if draft.valid_until <= draft.valid_from:
        return _fail("VALIDITY_INVALID", "The end of validity must be later than its start.", "validUntil")
    if draft.max_uses is not None and draft.max_uses < 1:
        return _fail("MAX_USES_INVALID", "The most uses is a positive number.", "maxUses")
    return None


async def create_promo(db: async_sessionmaker[AsyncSession], draft: PromoDraft) -> Outcome[Any]:
    """A promo code for every organization (platform data: no organization's audit log holds it)."""
    problem = _promo_problem(draft)
    if problem is not None:
        return problem
    code = draft.code.strip().upper()
    async with db.begin() as session:
        created = (
            await session.execute(
                insert(PromoCode)
                .values(
                    code=code,
                    description=draft.description.strip(),
                    percent_off=draft.percent_off,
                    amount_off_cents=draft.amount_off_cents,
                    kinds=draft.kinds,
                    valid_from=draft.valid_from,
                    valid_until=draft.valid_until,
                    max_uses=draft.max_uses,
                    uses=0,
                )
                .on_conflict_do_nothing()
                .returning(*PromoCode.__table__.c)
            )
        ).one_or_none()
    if created is None:
        return _fail("CODE_TAKEN", "Promo code {promo} already exists.", "code", promo=code)
    return Outcome(created)


def cli_operator(resources: Any) -> Operator:
    """The operator at the server's terminal: no principal, so the audit log names the gateway itself."""
    return Operator(ANONYMOUS, None, resources.clock.now())
