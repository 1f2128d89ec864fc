"""Webhook endpoints, their deliveries and every attempt, as an organization's managers see them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any, Self

import orjson
import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from permissions.fields import inherited, requires
from permissions.rights import Right
from resolvers.loaders.pages import PageKey
from resolvers.webhook_events import EVENTS, PING
from schema.common import Connection, Info, check_page, counted
from schema.members import Member

WebhookEventType: Any = strawberry.enum(
    Enum("WebhookEventType", [(name.upper().replace(".", "_"), name) for name in [*EVENTS, PING]]),  # type: ignore[misc]
    description="What happened. On the wire (the body's `type`) the names are dotted and lower case: "
    + ", ".join(f"{name.upper().replace('.', '_')} = `{name}`" for name in [*EVENTS, PING])
    + ". WEBHOOK_PING is sent by pingWebhookEndpoint only; endpoints cannot subscribe to it.",
)


@strawberry.enum
class WebhookDisabledReason(Enum):
    FAILING = "FAILING"
    BY_USER = "BY_USER"


@strawberry.enum
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(description="One HTTP attempt of a delivery.")
class WebhookAttempt:
    attempted_at: datetime = inherited()
    succeeded: bool = inherited()
    http_status: int | None = inherited(description="Null when no answer came (refused address, timeout, TLS).")
    duration_ms: int = inherited()
    response_excerpt: str | None = inherited(description="The answer's first 1024 characters.")
    error: str | None = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            attempted_at=row.attempted_at,
            succeeded=row.succeeded,
            http_status=row.http_status,
            duration_ms=row.duration_ms,
            response_excerpt=row.response_excerpt,
            error=row.error,
        )


@strawberry.type(description="One event for one endpoint: the message, its state and every attempt.")
class WebhookDelivery(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    endpoint_id: strawberry.Private[uuid.UUID]
    message_id: str = inherited(description="The `webhook-id` header: the same on every attempt and redelivery.")
    event_type: WebhookEventType = inherited()  # type: ignore[valid-type]
    payload: JSON = inherited(description="The body sent: `type`, `timestamp` and `data`.")
    status: WebhookDeliveryStatus = inherited()
    attempt_count: int = inherited()
    next_attempt_at: datetime | None = inherited(description="When the next attempt is due; null once settled.")
    retry_until: datetime = inherited(description="Retries stop here: 24 hours after the event or the redelivery.")
    created_at: datetime = inherited()
    delivered_at: datetime | None = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.owner_id,
            endpoint_id=row.endpoint_id,
            message_id=row.message_id,
            event_type=WebhookEventType(row.event_type),
            payload=orjson.loads(row.body),
            status=WebhookDeliveryStatus(row.status),
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at if row.status == "PENDING" else None,
            retry_until=row.retry_until,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )

    @strawberry.field(extensions=[requires(Right.MANAGE_ORGANIZATION)], description="Oldest first.")
    async def attempts(self, info: Info) -> list[WebhookAttempt] | None:
        rows = await info.context.loaders.webhook_attempts_by_delivery_id.load(self.id)
        return [WebhookAttempt.from_row(r) for r in rows or []]


@strawberry.type(description="A URL the organization's events are POSTed to, signed per Standard Webhooks.")
class WebhookEndpoint(relay.Node):
    id: relay.NodeID[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    created_by_id: strawberry.Private[uuid.UUID | None]
    url: str = inherited()
    events: list[WebhookEventType] = inherited()  # type: ignore[valid-type]
    enabled: bool = inherited()
    disabled_at: datetime | None = inherited()
    disabled_reason: WebhookDisabledReason | None = inherited(
        description="FAILING: every attempt failed for 24 hours (the owners were mailed); BY_USER: turned off."
    )
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            created_by_id=row.created_by_id,
            url=row.url,
            events=[WebhookEventType(e) for e in row.events],
            enabled=row.enabled,
            disabled_at=row.disabled_at,
            disabled_reason=WebhookDisabledReason(row.disabled_reason) if row.disabled_reason else None,
            created_at=row.created_at,
        )

    @strawberry.field(
        extensions=[requires(Right.MANAGE_ORGANIZATION)],
        description="Who registered it, while they are a member.",
    )
    async def created_by(self, info: Info) -> Member | None:
        if self.created_by_id is None:
            return None
        row = await info.context.loaders.member_by_organization_and_user.load(
            (self.organization_id, self.created_by_id)
        )
        return Member.from_row(row) if row else None

    @strawberry.field(extensions=[requires(Right.MANAGE_ORGANIZATION)], description="Newest first.")
    async def deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookDelivery] | None:
        loader = info.context.loaders.webhook_deliveries_page
        page = await loader.load(PageKey(self.id, check_page(info, first, after, last, before)))
        return Connection.of(page, WebhookDelivery.from_row, counted(loader, self.id))
