from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import User
from resolvers.loaders.base import Loader, by_attr


class UserByIdLoader(Loader[uuid.UUID, User]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = (await session.execute(select(User).where(User.id.in_(keys)))).scalars()
        return by_attr(rows, "id")
