from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import ApiToken, User
from resolvers.loaders.base import Loader
from resolvers.loaders.pages import OrganizationPageLoader, SortKey


def token_rows() -> Select[Any]:
    """Tokens with their creator's name and login email beside them (never the hash)."""
    columns = [c for c in ApiToken.__table__.c if c.name != "token_hash"]
    creator = (User.full_name.label("created_by_name"), User.email.label("created_by_email"))
    return select(*columns, *creator).outerjoin(User, User.id == ApiToken.created_by_id)


class ApiTokenByIdLoader(Loader[uuid.UUID, Any]):
    """A token's row (without its hash), whoever may read it; the rule is the caller's to apply."""

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(token_rows().where(ApiToken.id.in_(keys)))
        return [(r.id, r) for r in rows]


class IntegrationTokensPageLoader(OrganizationPageLoader):
    descending = True
    sort = (
        SortKey(ApiToken.created_at, "created_at", datetime.fromisoformat),
        SortKey(ApiToken.id, "id", uuid.UUID),
    )

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return token_rows()

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return ApiToken.organization_id
