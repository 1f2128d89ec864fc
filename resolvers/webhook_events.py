"""The events webhooks carry, each payload defined here and nowhere else, and how one is written.

An event is written by the change that causes it, in that change's transaction: one delivery row per
endpoint of the organization subscribed to it (none when there is none). A payload holds what the
organization itself may read through the API, ids as the API's global ids; never another tenant's
data, never a secret, hash or token.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import DateTime, Integer, String, Text, any_, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from gateway.db.models import Invoice, Membership, Order, Product, User, WebhookDelivery, WebhookEndpoint

# Every event an endpoint may subscribe to. Later events are added here (and to their emitting change).
EVENTS: dict[str, str] = {
    "order.paid": "An order was paid; its products are delivered.",
    "invoice.issued": "An invoice was issued.",
    "product.expiring": "A product expires in 30, 7 or 1 days (sent with the expiry notice).",
    "product.status_changed": "A product changed status (delivered, suspended, expired, cancelled, reactivated).",
    "member.joined": "Someone joined the organization by accepting an invitation.",
    "member.removed": "A member was removed from the organization.",
}
PING = "webhook.ping"  # sent by pingWebhookEndpoint only; no endpoint subscribes to it
RETRY_WINDOW = timedelta(hours=24)


def gid(type_name: str, value: uuid.UUID) -> str:
    return str(relay.GlobalID(type_name, str(value)))


def _money(cents: int, currency: str) -> dict[str, Any]:
    return {"amountCents": cents, "currency": currency}


def order_paid(order: Order) -> dict[str, Any]:
    return {
        "organizationId": gid("Organization", order.organization_id),
        "order": {
            "id": gid("Order", order.id),
            "number": order.number,
            "total": _money(order.total_cents, order.currency),
            "paidAt": order.paid_at,
        },
    }


def invoice_issued(invoice: Invoice) -> dict[str, Any]:
    return {
        "organizationId": gid("Organization", invoice.organization_id),
        "invoice": {
            "id": gid("Invoice", invoice.id),
            "number": invoice.number,
            "orderId": gid("Order", invoice.order_id) if invoice.order_id else None,
            "total": _money(invoice.total_cents, invoice.currency),
            "issuedAt": invoice.issued_at,
        },
    }


def _product(product_id: uuid.UUID, name: str, kind: str) -> dict[str, Any]:
    return {"id": gid("Product", product_id), "name": name, "kind": kind}


def product_expiring(product: Product, days: int) -> dict[str, Any]:
    return {
        "organizationId": gid("Organization", product.organization_id),
        "product": _product(product.id, product.name, product.kind) | {"expiresAt": product.expires_at},
        "daysLeft": days,
        "autoRenew": product.auto_renew,
    }


def product_status_changed(
    organization_id: uuid.UUID, product_id: uuid.UUID, name: str, kind: str, previous: str, status: str
) -> dict[str, Any]:
    return {
        "organizationId": gid("Organization", organization_id),
        "product": _product(product_id, name, kind),
        "previousStatus": previous,
        "status": status,
    }


def _member(membership: Membership, user: User) -> dict[str, Any]:
    return {
        "id": gid("Member", membership.id),
        "email": user.email,
        "fullName": user.full_name,
        "role": membership.role,
    }


def member_joined(membership: Membership, user: User) -> dict[str, Any]:
    return {"organizationId": gid("Organization", membership.organization_id), "member": _member(membership, user)}


def member_removed(membership: Membership, user: User) -> dict[str, Any]:
    return {"organizationId": gid("Organization", membership.organization_id), "member": _member(membership, user)}


def ping(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "organizationId": gid("Organization", endpoint.organization_id),
        "endpointId": gid("WebhookEndpoint", endpoint.id),
    }


def body(event_type: str, data: dict[str, Any], now: datetime) -> str:
    """The Standard Webhooks body: type, timestamp (ISO 8601, UTC) and data."""
    return orjson.dumps({"type": event_type, "timestamp": now, "data": data}, option=orjson.OPT_UTC_Z).decode()


async def emit(
    session: AsyncSession,
    organization_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
    endpoint_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Write the event for every enabled endpoint of the organization subscribed to it (or for one endpoint,
    subscribed or not: a ping), in the caller's transaction. One INSERT ... SELECT, whatever the count."""
    assert event_type in EVENTS or event_type == PING, event_type
    chosen = [WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.enabled.is_(True)]
    if endpoint_id is not None:
        chosen.append(WebhookEndpoint.id == endpoint_id)
    else:
        chosen.append(literal(event_type, String) == any_(WebhookEndpoint.events))
    rows = select(
        func.gen_random_uuid(),
        WebhookEndpoint.organization_id,
        WebhookEndpoint.id,
        literal(f"msg_{uuid.uuid4().hex}", String),
        literal(event_type, String),
        literal(body(event_type, data, now), Text),
        literal("PENDING", String),
        literal(0, Integer),
        literal(now, DateTime(timezone=True)),
        literal(now + RETRY_WINDOW, DateTime(timezone=True)),
        literal(now, DateTime(timezone=True)),
    ).where(*chosen)
    columns = [
        "id",
        "organization_id",
        "endpoint_id",
        "message_id",
        "event_type",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "retry_until",
        "created_at",
    ]
    written = await session.execute(insert(WebhookDelivery).from_select(columns, rows).returning(WebhookDelivery.id))
    return list(written.scalars())
