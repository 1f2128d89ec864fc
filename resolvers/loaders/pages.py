"""Per-organization pages and counts, one statement for every organization in a batch.

`organization { members(first: 10) }` under 50 organizations asks for 50 pages
at once; a LATERAL subquery pages each organization's rows, so the batch is
one SELECT whatever the number of organizations.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, cast, func, select, true
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from permissions.errors import BadUserInput
from resolvers.loaders.base import Loader
from resolvers.pagination import Page, Window, build_page, list_identity, seek


@dataclass(frozen=True, slots=True)
class PageKey:
    organization_id: uuid.UUID
    window: Window
    filters: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class SortKey:
    column: ColumnElement[Any]
    label: str
    parse: Callable[[Any], Any]


class OrganizationPageLoader(Loader[PageKey, Page[Any]]):
    descending = False
    sort: Sequence[SortKey] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counts = PageCountLoader(self.db, self)

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        """Rows with an `organization_id` column, before paging."""
        raise NotImplementedError

    def ordering(self, filters: tuple[Any, ...]) -> tuple[Sequence[SortKey], bool]:
        """The sort keys (the last one unique) and whether they run descending."""
        return self.sort, self.descending

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        raise NotImplementedError

    def identity(self, organization_id: uuid.UUID, filters: tuple[Any, ...]) -> str:
        sort, descending = self.ordering(filters)
        labels = ",".join(s.label for s in sort)
        return list_identity(type(self).__name__, organization_id, labels, "desc" if descending else "asc")

    async def fetch(self, session: AsyncSession, keys: Sequence[PageKey]) -> Any:
        # Keys whose cursors carry no position share one statement; a cursor names one organization's list.
        groups: dict[tuple[Window, tuple[Any, ...], uuid.UUID | None], list[uuid.UUID]] = defaultdict(list)
        for key in keys:
            positioned = key.window.after is not None or key.window.before is not None
            groups[(key.window, key.filters, key.organization_id if positioned else None)].append(key.organization_id)
        found: list[tuple[PageKey, Page[Any] | Exception]] = []
        for (page, filters, _), organization_ids in groups.items():
            try:
                pages = await self._pages(session, organization_ids, page, filters)
            except BadUserInput as refused:  # a foreign cursor fails its own field, not the whole batch
                found += [(PageKey(o, page, filters), refused) for o in organization_ids]
                continue
            found += [(PageKey(o, page, filters), pages.get(o, Page())) for o in organization_ids]
        return found

    async def _pages(
        self, session: AsyncSession, organization_ids: list[uuid.UUID], page: Window, filters: tuple[Any, ...]
    ) -> dict[uuid.UUID, Page[Any]]:
        org = self.organization_column()
        sort, descending = self.ordering(filters)
        # A cursor belongs to one organization's list: it is checked against the one it is used on.
        identity = self.identity(organization_ids[0], filters)
        # One small indexed scan per organization (LATERAL ... LIMIT), however large each one is.
        wanted = (
            func.unnest(cast(organization_ids, ARRAY(PG_UUID(as_uuid=True))))
            .table_valued("id")
            .render_derived(name="wanted")
        )
        stmt = seek(
            self.query(filters).where(org == wanted.c.id),
            [s.column for s in sort],
            descending,
            page,
            identity,
            [s.parse for s in sort],
        )
        lateral = stmt.lateral("page")
        rows = (await session.execute(select(lateral).select_from(wanted).join(lateral, true()))).all()
        by_org: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in rows:
            by_org[row.organization_id].append(row)
        labels = [s.label for s in sort]
        return {
            o: build_page(r, page, self.identity(o, filters), lambda row: [getattr(row, label) for label in labels])
            for o, r in by_org.items()
        } | {o: build_page([], page, identity, lambda row: []) for o in organization_ids if o not in by_org}


class PageCountLoader(Loader[tuple[uuid.UUID, tuple[Any, ...]], int]):
    """`totalCount` of a paged list: the page loader's own query, counted, one GROUP BY per batch."""

    def __init__(self, db: async_sessionmaker[AsyncSession], pages: OrganizationPageLoader) -> None:
        super().__init__(db)
        self.pages = pages

    async def fetch(self, session: AsyncSession, keys: Sequence[tuple[uuid.UUID, tuple[Any, ...]]]) -> Any:
        by_filters: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for organization_id, filters in keys:
            by_filters[filters].append(organization_id)
        found = []
        for filters, ids in by_filters.items():
            rows = self.pages.query(filters).where(self.pages.organization_column().in_(ids)).subquery()
            stmt = select(rows.c.organization_id, func.count()).group_by(rows.c.organization_id)
            counts = {o: n for o, n in (await session.execute(stmt)).all()}
            found += [((o, filters), counts.get(o, 0)) for o in ids]
        return found
