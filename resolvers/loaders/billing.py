from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import (
    BillingAddress,
    Invoice,
    Order,
    Payment,
    PrepaidAccount,
    PrepaidEntry,
    Withdrawal,
)
from permissions.caller import Caller
from resolvers.loaders.base import Loader
from resolvers.loaders.pages import OrganizationPageLoader, SortKey
from resolvers.loaders.products import ForViewer, orders_visible_to


class InvoicesPageLoader(ForViewer, OrganizationPageLoader):
    """Invoices of the orders the caller may see (a limited member: those touching only their products)."""

    descending = True
    sort = (SortKey(Invoice.issued_at, "issued_at", datetime.fromisoformat), SortKey(Invoice.id, "id", uuid.UUID))

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        issued_from, issued_to = filters
        stmt, mine = self.joined(select(*Invoice.__table__.c), Invoice.organization_id)
        stmt = stmt.join(Order, Order.id == Invoice.order_id).where(orders_visible_to(mine, self.caller))
        if issued_from is not None:
            stmt = stmt.where(Invoice.issued_at >= issued_from)
        if issued_to is not None:
            stmt = stmt.where(Invoice.issued_at < issued_to)
        return stmt

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return Invoice.organization_id


class InvoiceByIdLoader(ForViewer, Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        stmt, mine = self.joined(select(*Invoice.__table__.c), Invoice.organization_id)
        rows = await session.execute(
            stmt.join(Order, Order.id == Invoice.order_id).where(
                Invoice.id.in_(keys), orders_visible_to(mine, self.caller)
            )
        )
        return [(r.id, r) for r in rows]


class OrganizationOfInvoiceLoader(Loader[uuid.UUID, uuid.UUID]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        return (await session.execute(select(Invoice.id, Invoice.organization_id).where(Invoice.id.in_(keys)))).all()


class PrepaidBalanceLoader(Loader[uuid.UUID, int]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            select(PrepaidAccount.organization_id, PrepaidAccount.balance_cents).where(
                PrepaidAccount.organization_id.in_(keys)
            )
        )
        return rows.all()

    def align(self, keys: Sequence[uuid.UUID], found: Any) -> list[int | None]:
        by_key = dict(found)
        return [by_key.get(key, 0) for key in keys]


class PrepaidEntriesPageLoader(OrganizationPageLoader):
    descending = True
    sort = (SortKey(PrepaidEntry.seq, "seq", int),)

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return select(*PrepaidEntry.__table__.c)

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return PrepaidEntry.organization_id


def payment_rows(caller: Caller) -> Select[Any]:
    """Payments with their settlement time and invoice, as a caller sees them: those for orders they may see
    (a limited member: orders touching only their products) and every top-up."""
    top_up_settled = (
        select(func.min(PrepaidEntry.created_at))
        .where(PrepaidEntry.payment_id == Payment.id, PrepaidEntry.kind == "TOP_UP")
        .scalar_subquery()
    )
    settled = case(
        (Payment.status == "SUCCEEDED", func.coalesce(Order.paid_at, top_up_settled, Payment.created_at)), else_=None
    )
    mine = caller.memberships()
    return (
        select(*Payment.__table__.c, settled.label("settled_at"), Invoice.id.label("invoice_id"))
        .join(mine, mine.c.organization_id == Payment.organization_id)
        .outerjoin(Order, Order.id == Payment.order_id)
        .outerjoin(Invoice, and_(Invoice.order_id == Payment.order_id, Payment.status == "SUCCEEDED"))
        .where(orders_visible_to(mine.c, caller))
    )


class PaymentByIdLoader(ForViewer, Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(payment_rows(self.caller).where(Payment.id.in_(keys)))
        return [(r.id, r) for r in rows]


class PaymentsPageLoader(ForViewer, OrganizationPageLoader):
    """The payment history: every attempt, newest first."""

    descending = True
    sort = (SortKey(Payment.created_at, "created_at", datetime.fromisoformat), SortKey(Payment.id, "id", uuid.UUID))

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return payment_rows(self.caller)

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return Payment.organization_id


class WithdrawalByIdLoader(Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(select(*Withdrawal.__table__.c).where(Withdrawal.id.in_(keys)))
        return [(r.id, r) for r in rows]


class BillingAddressesByOrganizationLoader(Loader[uuid.UUID, list[Any]]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            select(*BillingAddress.__table__.c)
            .where(BillingAddress.organization_id.in_(keys), BillingAddress.removed_at.is_(None))
            .order_by(BillingAddress.is_default.desc(), BillingAddress.created_at)
        )
        grouped: dict[uuid.UUID, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row.organization_id, []).append(row)
        return list(grouped.items())

    def align(self, keys: Sequence[uuid.UUID], found: Any) -> list[list[Any] | None]:
        by_key = dict(found)
        return [by_key.get(key, []) for key in keys]


class BillingAddressByIdLoader(Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            select(*BillingAddress.__table__.c).where(BillingAddress.id.in_(keys), BillingAddress.removed_at.is_(None))
        )
        return [(r.id, r) for r in rows]
