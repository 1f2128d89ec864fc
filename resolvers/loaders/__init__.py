from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers.loaders.users import UserByIdLoader


@dataclass(frozen=True, slots=True)
class Loaders:
    """The DataLoaders of one request; never shared between requests."""

    user_by_id: UserByIdLoader

    @classmethod
    def create(cls, db: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(user_by_id=UserByIdLoader(db))
