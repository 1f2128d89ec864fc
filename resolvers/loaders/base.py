from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loader(DataLoader, Generic[K, V]):  # type: ignore[misc]
    """One SQL statement per batch, on a short session of its own.

    Batches of different loaders run concurrently in one tick, and an AsyncSession
    refuses concurrent use, so no two batches ever share one.
    """

    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        super().__init__()
        self.db = db

    def load(self, key: K) -> asyncio.Future[V | None]:
        # The cached future is shared by every field that asks for the key. graphql-core cancels the
        # siblings of a failed non-null field; cancelling one awaiting field must not cancel the shared
        # future under the other branches that wait on it too.
        return asyncio.shield(super().load(key))

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        async with self.db() as session:
            found = await self.fetch(session, keys)
        return self.align(keys, found)

    async def fetch(self, session: AsyncSession, keys: Sequence[K]) -> Any:
        raise NotImplementedError

    def align(self, keys: Sequence[K], found: Any) -> list[V | None]:
        by_key = dict(found)
        return [by_key.get(key) for key in keys]


def by_attr(rows: Iterable[Any], attr: str) -> list[tuple[Any, Any]]:
    return [(getattr(row, attr), row) for row in rows]
