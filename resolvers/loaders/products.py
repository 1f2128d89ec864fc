"""Products as the caller may see them: every read joins the caller's membership and applies the
policy's SQL form (VIEW_PRODUCTS, product scope), so lists are cut in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import CatalogItem, CatalogPrice, Order, OrderLine, Product
from permissions.caller import Caller
from permissions.policy import membership_holds, membership_sees
from permissions.rights import Right
from resolvers.loaders.base import Loader
from resolvers.loaders.pages import OrganizationPageLoader, SortKey
from resolvers.search import name_matches

# Products without an expiry (not yet paid) sort after every dated one.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
PRODUCT_COLUMNS = tuple(c for c in Product.__table__.c if c.name != "name_trigrams")


@dataclass(frozen=True, slots=True)
class ProductFilter:
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    search: str | None = None
    expires_after: datetime | None = None
    expires_before: datetime | None = None
    auto_renew: bool | None = None
    order: str = "NAME"  # NAME | EXPIRES_AT | CREATED_AT
    descending: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.kinds:
            found.append(Product.kind.in_(self.kinds))
        if self.statuses:
            found.append(Product.status.in_(self.statuses))
        if self.search and self.search.strip():
            found.append(name_matches(Product.name, Product.name_trigrams, self.search))
        if self.expires_after is not None:
            found.append(Product.expires_at >= self.expires_after)
        if self.expires_before is not None:
            found.append(Product.expires_at < self.expires_before)
        if self.auto_renew is not None:
            found.append(Product.auto_renew.is_(self.auto_renew))
        return found


SORTS = {
    "NAME": SortKey(func.lower(Product.name), "sort_name", str),
    "EXPIRES_AT": SortKey(func.coalesce(Product.expires_at, NEVER), "sort_expires", datetime.fromisoformat),
    "CREATED_AT": SortKey(Product.created_at, "created_at", datetime.fromisoformat),
}
BY_ID = SortKey(Product.id, "id", uuid.UUID)


class ForViewer:
    """A loader that reads through the caller's memberships (`permissions.caller`)."""

    def __init__(self, db: async_sessionmaker[AsyncSession], caller: Caller) -> None:
        super().__init__(db)  # type: ignore[call-arg]
        self.caller = caller

    @classmethod
    def of(cls, caller: Caller) -> ForViewer:
        """Only its SQL (`visible`), for statements built elsewhere: the compiled read path."""
        reader = cls.__new__(cls)
        reader.caller = caller
        return reader

    def joined(self, stmt: Select[Any], organization_id: ColumnElement[uuid.UUID]) -> tuple[Select[Any], Any]:
        """`stmt` joined to the caller's membership in each row's organization, and that membership's columns."""
        mine = self.caller.memberships()
        return stmt.join(mine, mine.c.organization_id == organization_id), mine.c

    def visible(self, stmt: Select[Any], right: Right = Right.VIEW_PRODUCTS) -> Select[Any]:
        joined, mine = self.joined(stmt, Product.organization_id)
        return joined.where(membership_holds(mine, right), membership_sees(mine, Product.id))


def product_rows() -> Select[Any]:
    return select(*PRODUCT_COLUMNS, *(s.column.label(s.label) for s in SORTS.values() if s.label != "created_at"))


class ProductsPageLoader(ForViewer, OrganizationPageLoader):
    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        (spec,) = filters
        return self.visible(product_rows()).where(*spec.conditions())

    def ordering(self, filters: tuple[Any, ...]) -> tuple[Sequence[SortKey], bool]:
        (spec,) = filters
        return (SORTS[spec.order], BY_ID), spec.descending

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return Product.organization_id


class ProductByIdLoader(ForViewer, Loader[uuid.UUID, Any]):
    """A product, or None when it does not exist or lies outside the caller's scope."""

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(self.visible(product_rows()).where(Product.id.in_(keys)))
        return [(r.id, r) for r in rows]


class AddOnsByParentIdLoader(ForViewer, Loader[uuid.UUID, list[Any]]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            self.visible(product_rows()).where(Product.parent_id.in_(keys)).order_by(Product.created_at, Product.id)
        )
        grouped: dict[uuid.UUID, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row.parent_id, []).append(row)
        return list(grouped.items())

    def align(self, keys: Sequence[uuid.UUID], found: Any) -> list[list[Any] | None]:
        by_key = dict(found)
        return [by_key.get(key, []) for key in keys]


class OrganizationOfProductLoader(Loader[uuid.UUID, uuid.UUID]):
    """Which organization a product belongs to, before any permission is decided (then `authorize`)."""

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        return (await session.execute(select(Product.id, Product.organization_id).where(Product.id.in_(keys)))).all()


class CatalogItemBySkuLoader(Loader[str, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[str]) -> Any:
        items = (await session.execute(select(CatalogItem).where(CatalogItem.sku.in_(keys)))).scalars().all()
        prices = (await session.execute(select(CatalogPrice).where(CatalogPrice.sku.in_(keys)))).scalars().all()
        periods: dict[str, list[CatalogPrice]] = {}
        for price in sorted(prices, key=lambda p: p.period_months):
            periods.setdefault(price.sku, []).append(price)
        return [(i.sku, (i, periods.get(i.sku, []))) for i in items]


class LinesByOrderIdLoader(Loader[uuid.UUID, list[Any]]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = (
            await session.execute(
                select(OrderLine).where(OrderLine.order_id.in_(keys)).order_by(OrderLine.order_id, OrderLine.position)
            )
        ).scalars()
        grouped: dict[uuid.UUID, list[Any]] = {}
        for line in rows:
            grouped.setdefault(line.order_id, []).append(line)
        return list(grouped.items())

    def align(self, keys: Sequence[uuid.UUID], found: Any) -> list[list[Any] | None]:
        by_key = dict(found)
        return [by_key.get(key, []) for key in keys]


def orders_visible_to(mine: Any, caller: Caller) -> ColumnElement[bool]:
    """A member limited to some products sees the orders they placed and those touching only their products."""
    outside_scope = (
        select(OrderLine.id)
        .where(
            OrderLine.order_id == Order.id,
            (OrderLine.product_id.is_(None)) | ~membership_sees(mine, OrderLine.product_id),
        )
        .exists()
    )
    return mine.all_products | caller.placed(Order.placed_by_id) | ~outside_scope


class OrdersPageLoader(ForViewer, OrganizationPageLoader):
    descending = True
    sort = (SortKey(Order.created_at, "created_at", datetime.fromisoformat), SortKey(Order.id, "id", uuid.UUID))

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        (status,) = filters or (None,)
        stmt, mine = self.joined(select(*Order.__table__.c), Order.organization_id)
        stmt = stmt.where(orders_visible_to(mine, self.caller))
        return stmt.where(Order.status == status) if status else stmt

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return Order.organization_id


class OrderByIdLoader(ForViewer, Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        stmt, mine = self.joined(select(*Order.__table__.c), Order.organization_id)
        rows = await session.execute(stmt.where(Order.id.in_(keys), orders_visible_to(mine, self.caller)))
        return [(r.id, r) for r in rows]
