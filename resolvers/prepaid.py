"""The prepaid account: a balance and its append-only ledger, always changed together."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import PrepaidAccount, PrepaidEntry
from gateway.i18n import DEFAULT_LANGUAGE, Text, stored

CURRENCY = "EUR"


async def credit(
    session: AsyncSession,
    organization_id: uuid.UUID,
    amount_cents: int,
    kind: str,
    description: Text,
    now: datetime,
    *,
    created_by: uuid.UUID | None = None,
    payment_id: uuid.UUID | None = None,
) -> int:
    """Add money (top-up, refund, free credit); returns the new balance."""
    assert amount_cents > 0
    balance = await session.scalar(
        insert(PrepaidAccount)
        .values(organization_id=organization_id, currency=CURRENCY, balance_cents=amount_cents, updated_at=now)
        .on_conflict_do_update(
            index_elements=[PrepaidAccount.organization_id],
            set_={"balance_cents": PrepaidAccount.balance_cents + amount_cents, "updated_at": now},
        )
        .returning(PrepaidAccount.balance_cents)
    )
    _entry(session, organization_id, kind, amount_cents, balance, description, now, created_by, payment_id, None)
    return int(balance)


async def debit(
    session: AsyncSession,
    organization_id: uuid.UUID,
    amount_cents: int,
    kind: str,
    description: Text,
    now: datetime,
    *,
    created_by: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    payment_id: uuid.UUID | None = None,
) -> int | None:
    """Take money out if the balance covers it; None otherwise. One conditional UPDATE, never read-then-write."""
    assert amount_cents > 0
    balance = await session.scalar(
        update(PrepaidAccount)
        .where(PrepaidAccount.organization_id == organization_id, PrepaidAccount.balance_cents >= amount_cents)
        .values(balance_cents=PrepaidAccount.balance_cents - amount_cents, updated_at=now)
        .returning(PrepaidAccount.balance_cents)
    )
    if balance is None:
        return None
    _entry(session, organization_id, kind, -amount_cents, balance, description, now, created_by, payment_id, order_id)
    return int(balance)


def _entry(
    session: AsyncSession,
    organization_id: uuid.UUID,
    kind: str,
    amount: int,
    balance: int,
    description: Text,
    now: datetime,
    created_by: uuid.UUID | None,
    payment_id: uuid.UUID | None,
    order_id: uuid.UUID | None,
) -> None:
    session.add(
        PrepaidEntry(
            id=new_id(),
            organization_id=organization_id,
            kind=kind,
            amount_cents=amount,
            balance_after_cents=balance,
            description=description.render(DEFAULT_LANGUAGE),
            description_text=stored(description),
            order_id=order_id,
            payment_id=payment_id,
            created_by_id=created_by,
            created_at=now,
        )
    )
