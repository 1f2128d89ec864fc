from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import ContractAcceptance, User
from resolvers.loaders.base import Loader


class ContractAcceptancesByOrganizationIdLoader(Loader[uuid.UUID, list[Any]]):
    """Every version each organization accepted, with who accepted it (name and email; None once deleted)."""

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            select(
                ContractAcceptance.organization_id,
                ContractAcceptance.version,
                ContractAcceptance.accepted_at,
                User.full_name,
                User.email,
            )
            .outerjoin(User, User.id == ContractAcceptance.accepted_by_id)
            .where(ContractAcceptance.organization_id.in_(keys))
        )
        grouped: dict[uuid.UUID, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row.organization_id, []).append(row)
        return list(grouped.items())

    def align(self, keys: Sequence[uuid.UUID], found: Any) -> list[list[Any] | None]:
        by_key = dict(found)
        return [by_key.get(key, []) for key in keys]
