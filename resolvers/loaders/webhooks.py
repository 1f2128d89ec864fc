from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from resolvers.loaders.base import Loader, by_attr
from resolvers.loaders.pages import OrganizationPageLoader, SortKey

ENDPOINT_COLUMNS = [c for c in WebhookEndpoint.__table__.c]


class WebhookEndpointsPageLoader(OrganizationPageLoader):
    sort = (
        SortKey(WebhookEndpoint.created_at, "created_at", datetime.fromisoformat),
        SortKey(WebhookEndpoint.id, "id", uuid.UUID),
    )

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return select(*ENDPOINT_COLUMNS)

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return WebhookEndpoint.organization_id


class WebhookEndpointByIdLoader(Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        return by_attr(await session.execute(select(*ENDPOINT_COLUMNS).where(WebhookEndpoint.id.in_(keys))), "id")


def delivery_rows() -> Select[Any]:
    # The page machinery groups by a column named `organization_id`: a delivery list belongs to an endpoint,
    # so the endpoint's id takes that name here and the tenant's id is `owner_id`.
    return select(
        *(c for c in WebhookDelivery.__table__.c if c.name != "organization_id"),
        WebhookDelivery.endpoint_id.label("organization_id"),
        WebhookDelivery.organization_id.label("owner_id"),
    )


class WebhookDeliveriesPageLoader(OrganizationPageLoader):
    """Deliveries of one endpoint (the page key's `organization_id` is the endpoint's id), newest first."""

    descending = True
    sort = (
        SortKey(WebhookDelivery.created_at, "created_at", datetime.fromisoformat),
        SortKey(WebhookDelivery.id, "id", uuid.UUID),
    )

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return delivery_rows()

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return WebhookDelivery.endpoint_id


class WebhookDeliveryByIdLoader(Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        # The same shape as the page rows: `owner_id` is the organization, in both.
        stmt = select(*WebhookDelivery.__table__.c, WebhookDelivery.organization_id.label("owner_id"))
        return by_attr(await session.execute(stmt.where(WebhookDelivery.id.in_(keys))), "id")


class WebhookAttemptsByDeliveryIdLoader(Loader[uuid.UUID, list[Any]]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            select(*WebhookAttempt.__table__.c)
            .where(WebhookAttempt.delivery_id.in_(keys))
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        )
        found: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in rows:
            found[row.delivery_id].append(row)
        return [(k, found.get(k, [])) for k in keys]
