"""Delivers the webhook outbox: claims due deliveries, POSTs them signed, logs every attempt, retries
with exponential backoff and jitter for 24 hours, and disables an endpoint failing for 24 hours.

Several processes may run this at once. A round claims its rows with SKIP LOCKED and leases them
(`next_attempt_at` moves a few minutes ahead) before the transaction ends, so no HTTP call happens
inside a transaction and a process that dies mid-round leaves its deliveries to be retried after the lease.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Membership, Organization, User, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from gateway.resources import Resources
from resolvers import mail
from resolvers.webhook_addresses import AddressRefused, vet
from resolvers.webhook_signing import headers as signed_headers
from resolvers.webhooks import live_secrets

log = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=4)
FAILING_FOR = timedelta(hours=24)  # an endpoint failing this long is disabled
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RESPONSE_BYTES = 64 * 1024  # read at most this much of an answer
EXCERPT_CHARS = 1024
USER_AGENT = "organization-gateway-webhooks/1"


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    message_id: str
    body: str
    secrets: list[str]


@dataclass(frozen=True, slots=True)
class Result:
    succeeded: bool
    http_status: int | None
    duration_ms: int
    excerpt: str | None
    error: str | None


def backoff(attempts: int) -> timedelta:
    """Doubling from 30 seconds up to 4 hours, each delay drawn within ±20% so that receivers coming back
    from an outage are not hit by every sender at the same instant."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    return base * random.uniform(0.8, 1.2)  # noqa: S311 (spreading retries, not secrecy)


async def deliver_due(resources: Resources, client: httpx.AsyncClient | None = None) -> int:
    """One round: every due delivery (up to BATCH) attempted once. Returns how many succeeded."""
    jobs, attempted_at = await _claim(resources)
    if not jobs:
        return 0
    own = client is None
    client = client or new_client()
    try:
        results = await asyncio.gather(*(post(client, resources, job, attempted_at) for job in jobs))
    finally:
        if own:
            await client.aclose()
    for job, result in zip(jobs, results, strict=True):
        await _record(resources, job, result, attempted_at)
    return sum(r.succeeded for r in results)


def new_client() -> httpx.AsyncClient:
    # No proxies from the environment (they would connect to an address we did not vet), no redirects, and
    # no kept-alive connections: the pool knows a connection by address, so one opened for a host name
    # (its SNI and certificate) must not carry a request for another name on the same address.
    return httpx.AsyncClient(
        timeout=TIMEOUT, follow_redirects=False, trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
    )


async def _claim(resources: Resources) -> tuple[list[Job], datetime]:
    now = resources.clock.now()
    async with resources.db.begin() as session:
        rows = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint.url)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.status == "PENDING",
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.enabled.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(BATCH)
                .with_for_update(of=WebhookDelivery, skip_locked=True)
            )
        ).all()
        jobs = []
        for delivery, url in rows:
            delivery.next_attempt_at = now + LEASE
            secrets = await live_secrets(session, resources.settings.secret_key, delivery.endpoint_id, now)
            jobs.append(Job(delivery.id, delivery.endpoint_id, url, delivery.message_id, delivery.body, secrets))
    return jobs, now


def pinned_request(
    client: httpx.AsyncClient, url: str, address: str, headers: dict[str, str], body: str
) -> httpx.Request:
    """A request to `url` that connects to `address` (already vetted) and nothing else: the URL carries the
    address, while the Host header and TLS's SNI and certificate check keep the original host name."""
    original = httpx.URL(url)
    target = original.copy_with(host=address)
    default_port = 443 if original.scheme == "https" else 80
    host_header = original.host if original.port in (None, default_port) else f"{original.host}:{original.port}"
    extensions = {"sni_hostname": original.host} if original.scheme == "https" else {}
    # Uncompressed answers only: the size cap counts the bytes that arrive, and no small gzip becomes a large one.
    fixed = {"content-type": "application/json", "user-agent": USER_AGENT, "accept-encoding": "identity"}
    all_headers = headers | fixed | {"host": host_header}
    return client.build_request("POST", target, content=body.encode(), headers=all_headers, extensions=extensions)


async def post(client: httpx.AsyncClient, resources: Resources, job: Job, attempted_at: datetime) -> Result:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        destination = await vet(job.url, resources.settings)  # again: the name may point elsewhere by now
    except AddressRefused as refused:
        return Result(False, None, took(), None, f"refused: {refused.code} {refused}"[:500])
    headers = signed_headers(job.secrets, job.message_id, attempted_at, job.body)
    request = pinned_request(client, job.url, destination.addresses[0], headers, job.body)
    try:
        async with asyncio.timeout(TIMEOUT.read + TIMEOUT.connect):  # type: ignore[operator]
            response = await client.send(request, stream=True)
            try:
                content = b""
                async for chunk in response.aiter_raw():
                    content += chunk
                    if len(content) >= MAX_RESPONSE_BYTES:
                        break
            finally:
                await response.aclose()
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        return Result(False, None, took(), None, f"{type(exc).__name__}: {exc}"[:500])
    excerpt = content[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")[:EXCERPT_CHARS] or None
    ok = 200 <= response.status_code < 300
    return Result(ok, response.status_code, took(), excerpt, None if ok else f"HTTP {response.status_code}")


async def _record(resources: Resources, job: Job, result: Result, attempted_at: datetime) -> None:
    async with resources.db.begin() as session:
        delivery = await session.get(WebhookDelivery, job.delivery_id, with_for_update=True)
        endpoint = await session.get(WebhookEndpoint, job.endpoint_id, with_for_update=True)
        if delivery is None or endpoint is None:  # deleted while the request was out
            return
        session.add(
            WebhookAttempt(
                id=uuid.uuid4(),
                organization_id=delivery.organization_id,
                delivery_id=delivery.id,
                attempted_at=attempted_at,
                succeeded=result.succeeded,
                http_status=result.http_status,
                duration_ms=result.duration_ms,
                response_excerpt=result.excerpt,
                error=result.error,
            )
        )
        delivery.attempts += 1
        if result.succeeded:
            delivery.status, delivery.next_attempt_at, delivery.delivered_at = "SUCCEEDED", None, attempted_at
            endpoint.failing_since = None
            return
        delivery.next_attempt_at = _next_attempt(delivery, attempted_at)
        if delivery.next_attempt_at is None:
            delivery.status = "FAILED"
        log.warning(
            "webhook delivery failed",
            extra={"delivery_id": str(delivery.id), "attempts": delivery.attempts, "error": result.error},
        )
        endpoint.failing_since = endpoint.failing_since or attempted_at
        if endpoint.enabled and attempted_at - endpoint.failing_since >= FAILING_FOR:
            await _disable(session, endpoint, attempted_at)


def _next_attempt(delivery: WebhookDelivery, now: datetime) -> datetime | None:
    """After a failure: a later try, the last one exactly at the end of the 24-hour window; None past it."""
    if now >= delivery.retry_until:
        return None
    return min(now + backoff(delivery.attempts), delivery.retry_until)


async def _disable(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, "FAILING"
    organization = await session.get_one(Organization, endpoint.organization_id)
    owners = await session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == endpoint.organization_id,
            Membership.role == "OWNER",
            Membership.status == "ACTIVE",
        )
    )
    for owner in owners.scalars():
        mail.enqueue(
            session,
            kind="webhook_disabled",
            recipient=owner.email,
            language=owner.language,
            now=now,
            organization=organization.name,
            url=endpoint.url,
            since=endpoint.failing_since,
        )
    log.warning("webhook endpoint disabled", extra={"endpoint_id": str(endpoint.id)})
