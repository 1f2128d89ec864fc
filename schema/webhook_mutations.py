from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from permissions.fields import requires
from permissions.rights import Right
from resolvers import webhooks
from schema.common import Info, decode_id, organization_argument, owned_argument
from schema.errors import user_error
from schema.payloads import payload
from schema.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEventType

URL_CODES = ("URL_INVALID", "URL_NOT_HTTPS", "HOST_UNRESOLVABLE", "ADDRESS_NOT_PUBLIC")
CreateWebhookEndpointError = user_error(
    "CreateWebhookEndpoint", (*URL_CODES, "EVENTS_REQUIRED", "EVENT_NOT_SUBSCRIBABLE", "TOO_MANY_ENDPOINTS")
)
UpdateWebhookEndpointError = user_error(
    "UpdateWebhookEndpoint", (*URL_CODES, "EVENTS_REQUIRED", "EVENT_NOT_SUBSCRIBABLE", "ENDPOINT_NOT_FOUND")
)
DeleteWebhookEndpointError = user_error("DeleteWebhookEndpoint", ("ENDPOINT_NOT_FOUND",))
RotateWebhookSecretError = user_error("RotateWebhookSecret", ("ENDPOINT_NOT_FOUND",))
RedeliverWebhookError = user_error("RedeliverWebhook", ("DELIVERY_NOT_FOUND", "ENDPOINT_DISABLED", "ALREADY_PENDING"))
PingWebhookEndpointError = user_error("PingWebhookEndpoint", ("ENDPOINT_NOT_FOUND", "ENDPOINT_DISABLED"))

SHOWN_ONCE = "The signing secret (`whsec_` + base64), shown this once: store it where the receiver verifies signatures."


@strawberry.input
class CreateWebhookEndpointInput:
    organization_id: relay.GlobalID
    url: str = strawberry.field(description="https, on a host that resolves to public addresses only.")
    events: list[WebhookEventType]  # type: ignore[valid-type]


@strawberry.input(description="Only what is given changes. Enabling a disabled endpoint starts afresh.")
class UpdateWebhookEndpointInput:
    endpoint_id: relay.GlobalID
    url: str | None = None
    events: list[WebhookEventType] | None = None  # type: ignore[valid-type]
    enabled: bool | None = None


@strawberry.input
class WebhookEndpointIdInput:
    endpoint_id: relay.GlobalID


@strawberry.input
class RedeliverWebhookInput:
    delivery_id: relay.GlobalID


@strawberry.type
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(description=SHOWN_ONCE)
    user_errors: list[CreateWebhookEndpointError[0]]  # type: ignore[valid-type]


@strawberry.type
class UpdateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    user_errors: list[UpdateWebhookEndpointError[0]]  # type: ignore[valid-type]


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_endpoint_id: strawberry.ID | None
    user_errors: list[DeleteWebhookEndpointError[0]]  # type: ignore[valid-type]


@strawberry.type
class RotateWebhookSecretPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(description=SHOWN_ONCE)
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until then the previous secret signs too (a second `v1,` signature in `webhook-signature`)."
    )
    user_errors: list[RotateWebhookSecretError[0]]  # type: ignore[valid-type]


@strawberry.type
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None
    user_errors: list[RedeliverWebhookError[0]]  # type: ignore[valid-type]


@strawberry.type
class PingWebhookEndpointPayload:
    delivery: WebhookDelivery | None
    user_errors: list[PingWebhookEndpointError[0]]  # type: ignore[valid-type]


ORG = organization_argument("input.organization_id")
ENDPOINT = owned_argument("input.endpoint_id", "WebhookEndpoint", "webhook_endpoint_by_id")
DELIVERY = owned_argument("input.delivery_id", "WebhookDelivery", "webhook_delivery_by_id")


def _endpoint_id(input: Any) -> uuid.UUID:
    return decode_id(input.endpoint_id, "WebhookEndpoint")  # type: ignore[return-value]  # the locator found it


def _events(values: list[Any] | None) -> list[str] | None:
    return None if values is None else [v.value for v in values]


async def _delivery(info: Info, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    row = await info.context.loaders.webhook_delivery_by_id.load(delivery_id)
    return WebhookDelivery.from_row(row) if row else None


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_ORGANIZATION, ORG)],
        description="At most 10 per organization. The URL is checked now and before every delivery.",
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload | None:
        organization_id: uuid.UUID = decode_id(input.organization_id, "Organization")  # type: ignore[assignment]
        outcome = await webhooks.create(info.context, organization_id, input.url, _events(input.events) or [])
        return await payload(
            info,
            CreateWebhookEndpointPayload,
            CreateWebhookEndpointError,
            outcome,
            endpoint=lambda v: WebhookEndpoint.from_row(v.endpoint),
            secret=lambda v: v.secret,
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_ORGANIZATION, ENDPOINT)])
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> UpdateWebhookEndpointPayload | None:
        outcome = await webhooks.update(
            info.context, _endpoint_id(input), input.url, _events(input.events), input.enabled
        )
        return await payload(
            info, UpdateWebhookEndpointPayload, UpdateWebhookEndpointError, outcome, endpoint=WebhookEndpoint.from_row
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_ORGANIZATION, ENDPOINT)], description="Its deliveries go with it."
    )
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> DeleteWebhookEndpointPayload | None:
        outcome = await webhooks.delete(info.context, _endpoint_id(input))
        return await payload(
            info,
            DeleteWebhookEndpointPayload,
            DeleteWebhookEndpointError,
            outcome,
            deleted_endpoint_id=lambda _: strawberry.ID(str(input.endpoint_id)),
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_ORGANIZATION, ENDPOINT)],
        description="A new secret; the previous one keeps signing beside it for 24 hours.",
    )
    async def rotate_webhook_secret(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> RotateWebhookSecretPayload | None:
        outcome = await webhooks.rotate(info.context, _endpoint_id(input))
        return await payload(
            info,
            RotateWebhookSecretPayload,
            RotateWebhookSecretError,
            outcome,
            endpoint=lambda v: WebhookEndpoint.from_row(v.endpoint),
            secret=lambda v: v.secret,
            previous_secret_expires_at=lambda v: v.previous_expires_at,
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_ORGANIZATION, DELIVERY)],
        description="Send a delivery again (same `webhook-id` and body), retried for another 24 hours.",
    )
    async def redeliver_webhook(self, info: Info, input: RedeliverWebhookInput) -> RedeliverWebhookPayload | None:
        delivery_id: uuid.UUID = decode_id(input.delivery_id, "WebhookDelivery")  # type: ignore[assignment]
        outcome = await webhooks.redeliver(info.context, delivery_id)
        return await payload(
            info,
            RedeliverWebhookPayload,
            RedeliverWebhookError,
            outcome,
            delivery=lambda v: _delivery(info, v.id),
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_ORGANIZATION, ENDPOINT)],
        description="Queue a `webhook.ping` for this endpoint, to test the receiver and its signature check.",
    )
    async def ping_webhook_endpoint(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> PingWebhookEndpointPayload | None:
        outcome = await webhooks.ping(info.context, _endpoint_id(input))
        return await payload(
            info,
            PingWebhookEndpointPayload,
            PingWebhookEndpointError,
            outcome,
            delivery=lambda v: _delivery(info, v.id),
        )
