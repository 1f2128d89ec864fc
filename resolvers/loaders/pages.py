"""Per-organization pages and counts, one statement for every organization in a batch.

`organization { members(first: 10) }` under 50 organizations asks for 50 pages
at once; a window function numbers each organization's rows, so the batch is
one SELECT whatever the number of organizations.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, cast, func, select, true, tuple_
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.loaders.base import Loader
from resolvers.pagination import Page, build_page, decode_cursor


@dataclass(frozen=True, slots=True)
class PageKey:
    organization_id: uuid.UUID
    first: int
    after: str | None = None
    filters: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class SortKey:
    column: ColumnElement[Any]
    label: str
    parse: Callable[[Any], Any]


class OrganizationPageLoader(Loader[PageKey, Page[Any]]):
    descending = False
    sort: Sequence[SortKey] = ()

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        """Rows with an `organization_id` column, before paging."""
        raise NotImplementedError

    def ordering(self, filters: tuple[Any, ...]) -> tuple[Sequence[SortKey], bool]:
        """The sort keys (the last one unique) and whether they run descending."""
        return self.sort, self.descending

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        raise NotImplementedError

    async def fetch(self, session: AsyncSession, keys: Sequence[PageKey]) -> Any:
        groups: dict[tuple[int, str | None, tuple[Any, ...]], list[uuid.UUID]] = defaultdict(list)
        for key in keys:
            groups[(key.first, key.after, key.filters)].append(key.organization_id)
        found: list[tuple[PageKey, Page[Any]]] = []
        for (first, after, filters), organization_ids in groups.items():
            pages = await self._pages(session, organization_ids, first, after, filters)
            found += [(PageKey(o, first, after, filters), pages.get(o, Page())) for o in organization_ids]
        return found

    async def _pages(
        self,
        session: AsyncSession,
        organization_ids: list[uuid.UUID],
        first: int,
        after: str | None,
        filters: tuple[Any, ...],
    ) -> dict[uuid.UUID, Page[Any]]:
        org = self.organization_column()
        sort, descending = self.ordering(filters)
        columns = [s.column for s in sort]
        order = [c.desc() for c in columns] if descending else columns
        # One small indexed scan per organization (LATERAL ... LIMIT), however large each one is.
        wanted = (
            func.unnest(cast(organization_ids, ARRAY(PG_UUID(as_uuid=True))))
            .table_valued("id")
            .render_derived(name="wanted")
        )
        stmt = self.query(filters).where(org == wanted.c.id).order_by(*order).limit(first + 1)
        if after is not None:
            values = decode_cursor(after, [s.parse for s in sort])
            keyset = tuple_(*columns)
            stmt = stmt.where(keyset < tuple_(*values) if descending else keyset > tuple_(*values))
        page = stmt.lateral("page")
        rows = (await session.execute(select(page).select_from(wanted).join(page, true()))).all()
        by_org: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in rows:
            by_org[row.organization_id].append(row)
        labels = [s.label for s in sort]
        return {
            o: build_page(r, first, lambda row: [getattr(row, label) for label in labels]) for o, r in by_org.items()
        }


class OrganizationCountLoader(Loader[tuple[uuid.UUID, tuple[Any, ...]], int]):
    """`totalCount` of a per-organization list: one GROUP BY for the whole batch."""

    def conditions(self, filters: tuple[Any, ...]) -> list[ColumnElement[bool]]:
        return []

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        raise NotImplementedError

    async def fetch(self, session: AsyncSession, keys: Sequence[tuple[uuid.UUID, tuple[Any, ...]]]) -> Any:
        org = self.organization_column()
        by_filters: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for organization_id, filters in keys:
            by_filters[filters].append(organization_id)
        found = []
        for filters, ids in by_filters.items():
            stmt = select(org, func.count()).where(org.in_(ids), *self.conditions(filters)).group_by(org)
            counts = {o: n for o, n in (await session.execute(stmt)).all()}
            found += [((o, filters), counts.get(o, 0)) for o in ids]
        return found
