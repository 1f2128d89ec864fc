"""Webhook endpoints: registering, changing, rotating secrets, redelivering. Delivery itself is
gateway/webhook_delivery.py; what events carry is resolvers/webhook_events.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import Organization, WebhookDelivery, WebhookEndpoint, WebhookSecret
from gateway.i18n import N_
from resolvers import audit, sealed, webhook_events
from resolvers.context import Context
from resolvers.results import Outcome
from resolvers.webhook_addresses import AddressRefused, vet
from resolvers.webhook_signing import new_secret

MAX_ENDPOINTS = 10
ROTATION_OVERLAP = timedelta(hours=24)
URL_MESSAGES = {
    "URL_INVALID": N_("Give an https URL without user name or password, at most 2048 characters."),
    "URL_NOT_HTTPS": N_("Webhooks are sent over https only."),
    "HOST_UNRESOLVABLE": N_("The URL's host name does not resolve."),
    "ADDRESS_NOT_PUBLIC": N_("The URL's host resolves to an address that is not public (private, local or reserved)."),
}


@dataclass(frozen=True, slots=True)
class WithSecret:
    endpoint: WebhookEndpoint
    secret: str
    previous_expires_at: datetime | None = None


async def _vetted(ctx: Context, url: str) -> Outcome[str]:
    try:
        destination = await vet(url, ctx.settings)
    except AddressRefused as refused:
        return Outcome.fail(refused.code, URL_MESSAGES[refused.code], "input", "url")
    return Outcome(destination.url)


def _events(events: list[str]) -> Outcome[list[str]]:
    if not events:
        return Outcome.fail("EVENTS_REQUIRED", N_("Choose at least one event."), "input", "events")
    if webhook_events.PING in events:
        return Outcome.fail(
            "EVENT_NOT_SUBSCRIBABLE", N_("WEBHOOK_PING is sent by pingWebhookEndpoint only."), "input", "events"
        )
    return Outcome(sorted(set(events)))


SEALING = "webhook signing secrets"


async def live_secrets(session: AsyncSession, secret_key: str, endpoint_id: uuid.UUID, now: datetime) -> list[str]:
    """The secrets that sign now: the current one first, then any previous one still in its overlap."""
    rows = await session.execute(
        select(WebhookSecret.id, WebhookSecret.secret_sealed)
        .where(
            WebhookSecret.endpoint_id == endpoint_id,
            or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > now),
        )
        .order_by(WebhookSecret.expires_at.desc().nulls_first(), WebhookSecret.created_at.desc())
    )
    return [sealed.unseal(secret_key, SEALING, row_id, value) for row_id, value in rows]


def _secret(ctx: Context, endpoint: WebhookEndpoint, now: datetime) -> tuple[WebhookSecret, str]:
    secret = new_secret()
    row_id = new_id()
    row = WebhookSecret(
        id=row_id,
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.id,
        secret_sealed=sealed.seal(ctx.settings.secret_key, SEALING, row_id, secret),
        created_at=now,
        expires_at=None,
    )
    return row, secret


async def create(ctx: Context, organization_id: uuid.UUID, url: str, events: list[str]) -> Outcome[WithSecret]:
    chosen = _events(events)
    if not chosen.ok:
        return Outcome(problems=chosen.problems)
    vetted = await _vetted(ctx, url)
    if not vetted.ok:
        return Outcome(problems=vetted.problems)
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        # The organization's row is locked so that two requests at once cannot both take the last place.
        await session.get(Organization, organization_id, with_for_update=True)
        count = await session.scalar(
            select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization_id)
        )
        if (count or 0) >= MAX_ENDPOINTS:
            return Outcome.fail(
                "TOO_MANY_ENDPOINTS", N_("An organization has at most 10 webhook endpoints."), "input", "organizationId"
            )
        endpoint = WebhookEndpoint(
            id=new_id(),
            organization_id=organization_id,
            url=vetted.value,
            events=chosen.value,
            enabled=True,
            created_by_id=ctx.principal.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(endpoint)
        await session.flush()
        row, secret = _secret(ctx, endpoint, now)
        session.add(row)
        audit.record(
            session, ctx, organization_id, "webhook.create", ("WebhookEndpoint", endpoint.id), url=endpoint.url
        )
    return Outcome(WithSecret(endpoint, secret))


async def update(
    ctx: Context, endpoint_id: uuid.UUID, url: str | None, events: list[str] | None, enabled: bool | None
) -> Outcome[WebhookEndpoint]:
    chosen = _events(events) if events is not None else Outcome[list[str]](None)
    if not chosen.ok:
        return Outcome(problems=chosen.problems)
    vetted = await _vetted(ctx, url) if url is not None else Outcome[str](None)
    if not vetted.ok:
        return Outcome(problems=vetted.problems)
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None:
            return _gone()
        if vetted.value is not None:
            endpoint.url = vetted.value
        if chosen.value is not None:
            endpoint.events = chosen.value
        if enabled is True and not endpoint.enabled:
            # Enabled again: a fresh start, the old run of failures forgotten.
            endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = (
                True,
                None,
                None,
                None,
            )
        elif enabled is False and endpoint.enabled:
            endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, "BY_USER"
        endpoint.updated_at = now
        audit.record(
            session, ctx, endpoint.organization_id, "webhook.update", ("WebhookEndpoint", endpoint.id), url=endpoint.url
        )
    return Outcome(endpoint)


def _gone() -> Outcome:  # type: ignore[type-arg]
    # Deleted by someone else between the rule's check and this transaction.
    return Outcome.fail("ENDPOINT_NOT_FOUND", N_("This webhook endpoint no longer exists."), "input", "endpointId")


async def delete(ctx: Context, endpoint_id: uuid.UUID) -> Outcome[uuid.UUID]:
    async with ctx.db.begin() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None:
            return _gone()
        await session.delete(endpoint)
        audit.record(
            session, ctx, endpoint.organization_id, "webhook.delete", ("WebhookEndpoint", endpoint.id), url=endpoint.url
        )
    return Outcome(endpoint_id)


async def rotate(ctx: Context, endpoint_id: uuid.UUID) -> Outcome[WithSecret]:
    now = ctx.clock.now()
    overlap_until = now + ROTATION_OVERLAP
    async with ctx.db.begin() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None:
            return _gone()
        current = (
            await session.execute(
                select(WebhookSecret).where(
                    WebhookSecret.endpoint_id == endpoint_id, WebhookSecret.expires_at.is_(None)
                )
            )
        ).scalars()
        for old in current:
            old.expires_at = overlap_until  # keeps signing beside the new one for a day
        row, secret = _secret(ctx, endpoint, now)
        session.add(row)
        endpoint.updated_at = now
        audit.record(session, ctx, endpoint.organization_id, "webhook.rotate_secret", ("WebhookEndpoint", endpoint.id))
    return Outcome(WithSecret(endpoint, secret, overlap_until))


async def redeliver(ctx: Context, delivery_id: uuid.UUID) -> Outcome[WebhookDelivery]:
    """The same message (same `webhook-id`, same body) again, with a fresh 24-hour retry window."""
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None:
            return Outcome.fail("DELIVERY_NOT_FOUND", N_("This delivery no longer exists."), "input", "deliveryId")
        endpoint = await session.get_one(WebhookEndpoint, delivery.endpoint_id)
        if not endpoint.enabled:
            return _disabled("deliveryId")
        if delivery.status == "PENDING":
            return Outcome.fail(
                "ALREADY_PENDING", N_("This delivery is already waiting to be sent."), "input", "deliveryId"
            )
        delivery.status, delivery.next_attempt_at = "PENDING", now
        delivery.retry_until = now + webhook_events.RETRY_WINDOW
        audit.record(session, ctx, delivery.organization_id, "webhook.redeliver", ("WebhookDelivery", delivery.id))
    return Outcome(delivery)


def _disabled(field: str) -> Outcome:  # type: ignore[type-arg]
    return Outcome.fail("ENDPOINT_DISABLED", N_("This webhook endpoint is disabled: enable it first."), "input", field)


async def ping(ctx: Context, endpoint_id: uuid.UUID) -> Outcome[WebhookDelivery]:
    """A `webhook.ping` for this endpoint only, delivered like any event."""
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            return _gone()
        if not endpoint.enabled:
            return _disabled("endpointId")
        (delivery_id,) = await webhook_events.emit(
            session, endpoint.organization_id, webhook_events.PING, webhook_events.ping(endpoint), now, endpoint.id
        )
        delivery = await session.get_one(WebhookDelivery, delivery_id)
    return Outcome(delivery)
