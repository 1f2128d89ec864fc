from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import ProductTransfer
from resolvers.loaders.base import Loader


class ProductTransferByIdLoader(Loader[uuid.UUID, Any]):
    """A hand-off by id, before any permission is decided: each side's rule then names its own organization."""

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(select(*ProductTransfer.__table__.c).where(ProductTransfer.id.in_(keys)))
        return [(r.id, r) for r in rows]
