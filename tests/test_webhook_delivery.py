"""Deliveries to a real receiver on 127.0.0.1 (allowed by the development settings for local receivers):
signatures checked with the `standardwebhooks` package, retries with backoff, rotation, redelivery, and
an endpoint disabled after 24 hours of failures. The worker's rounds are run by hand, the clock moved."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from gateway.resources import Resources
from gateway.webhook_delivery import deliver_due
from tests.graphql import mailbox
from tests.orgs import join, organization, person
from tests.webhooks import PING, REDELIVER, ROTATE, UPDATE, deliveries, delivery_nodes, receiver, registered


@pytest.fixture
def local(settings):
    return replace(settings, webhooks_allow_http=True, webhooks_allow_private=True)


@pytest.fixture
async def local_client(make_client, local, clock):
    clock.set(datetime.now(UTC).replace(microsecond=0))  # so that the receiver's timestamp check passes
    return await make_client(local)


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _owner_with_endpoint(client, url, events=None):
    owner = await person(client, "owner@example.com", "Olga Owner")
    org = await organization(client, owner)
    endpoint_id, secret = await registered(client, owner, org, url, events=events)
    return owner, org, endpoint_id, secret


async def _ping(client, owner, endpoint_id) -> str:
    pinged = (await owner.gql(client, PING, {"id": endpoint_id}))["data"]["pingWebhookEndpoint"]
    assert pinged["userErrors"] == [], pinged
    return pinged["delivery"]["id"]


def _only(endpoint: dict, delivery_id: str) -> dict:
    return next(d for d in delivery_nodes(endpoint) if d["id"] == delivery_id)


async def test_a_failing_receiver_gets_the_same_signed_message_with_growing_delays(local_client, engine, local, clock):
    client = local_client
    resources = Resources.open(local, clock, engine)
    with receiver() as hook:
        owner, org, endpoint_id, secret = await _owner_with_endpoint(client, hook.url())
        hook.fail(3)
        newcomer = await person(client, "new@example.com", "Nina Newcomer")
        await join(client, owner, org, newcomer)
        assert await deliver_due(resources) == 0
        first = hook.received[0]
        # The oracle: someone else's implementation of the specification accepts our headers and body.
        assert Webhook(secret).verify(first.body, first.headers)["type"] == "member.joined"
        assert first.headers["content-type"] == "application/json"

        delays = []
        for _ in range(3):
            (delivery,) = delivery_nodes(await deliveries(client, owner, endpoint_id))
            assert delivery["status"] == "PENDING"
            assert await deliver_due(resources) == 0  # not due yet: nothing is sent
            due = when(delivery["nextAttemptAt"])
            delays.append(due - when(delivery["attempts"][-1]["attemptedAt"]))
            clock.set(due)
            await deliver_due(resources)
        (delivery,) = delivery_nodes(await deliveries(client, owner, endpoint_id))

    assert [timedelta(seconds=24) <= d for d in delays] == [True] * 3
    assert delays[0] < delays[1] < delays[2] <= timedelta(seconds=144)  # 30 s doubling, within ±20 %
    assert delivery["status"] == "SUCCEEDED" and delivery["nextAttemptAt"] is None
    assert [a["httpStatus"] for a in delivery["attempts"]] == [500, 500, 500, 200]
    assert [a["succeeded"] for a in delivery["attempts"]] == [False, False, False, True]
    assert delivery["attempts"][0]["responseExcerpt"] == "receiver not ready"
    assert delivery["attempts"][0]["error"] == "HTTP 500"
    assert all(a["durationMs"] >= 0 for a in delivery["attempts"])
    assert delivery["deliveredAt"] == delivery["attempts"][-1]["attemptedAt"]
    assert len(hook.received) == 4
    assert {r.headers["webhook-id"] for r in hook.received} == {delivery["messageId"]}
    assert {r.body for r in hook.received} == {first.body}
    oracle = Webhook(secret)
    for request in hook.received:  # each attempt signed anew, for its own timestamp
        sent_at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
        expected = oracle.sign(request.headers["webhook-id"], sent_at, request.body)
        assert request.headers["webhook-signature"] == expected


async def test_during_a_rotation_both_secrets_sign(local_client, engine, local, clock):
    client = local_client
    resources = Resources.open(local, clock, engine)
    with receiver() as hook:
        owner, _, endpoint_id, old = await _owner_with_endpoint(client, hook.url())
        rotated = (await owner.gql(client, ROTATE, {"id": endpoint_id}))["data"]["rotateWebhookSecret"]
        new = rotated["secret"]
        assert rotated["userErrors"] == [] and new != old and new.startswith("whsec_")
        assert when(rotated["previousSecretExpiresAt"]) == clock.now() + timedelta(hours=24)
        await _ping(client, owner, endpoint_id)
        await deliver_due(resources)
        during = hook.received[-1]
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        assert Webhook(old).verify(during.body, during.headers)["type"] == "webhook.ping"
        assert Webhook(new).verify(during.body, during.headers)["type"] == "webhook.ping"

        clock.advance(timedelta(hours=24, seconds=1))
        await owner.log_in_again(client)
        await _ping(client, owner, endpoint_id)
        await deliver_due(resources)
        after = hook.received[-1]
    sent_at = datetime.fromtimestamp(int(after.headers["webhook-timestamp"]), UTC)
    signatures = after.headers["webhook-signature"].split(" ")
    assert signatures == [Webhook(new).sign(after.headers["webhook-id"], sent_at, after.body)]
    assert Webhook(old).sign(after.headers["webhook-id"], sent_at, after.body) not in signatures


async def test_redelivery_sends_the_same_message_again(local_client, engine, local, clock):
    client = local_client
    resources = Resources.open(local, clock, engine)
    with receiver() as hook:
        owner, _, endpoint_id, secret = await _owner_with_endpoint(client, hook.url())
        delivery_id = await _ping(client, owner, endpoint_id)
        pending = (await owner.gql(client, REDELIVER, {"id": delivery_id}))["data"]["redeliverWebhook"]
        assert [e["code"] for e in pending["userErrors"]] == ["ALREADY_PENDING"]
        assert await deliver_due(resources) == 1
        again = (await owner.gql(client, REDELIVER, {"id": delivery_id}))["data"]["redeliverWebhook"]
        assert again["userErrors"] == [] and again["delivery"]["status"] == "PENDING"
        assert await deliver_due(resources) == 1
    first, second = hook.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    Webhook(secret).verify(second.body, second.headers)
    delivery = _only(await deliveries(client, owner, endpoint_id), delivery_id)
    assert delivery["status"] == "SUCCEEDED" and delivery["attemptCount"] == 2


async def test_an_endpoint_failing_for_24_hours_is_disabled_and_its_owners_are_told(local_client, engine, local, clock):
    client = local_client
    resources = Resources.open(local, clock, engine)
    with receiver() as hook:
        owner, org, endpoint_id, _ = await _owner_with_endpoint(client, hook.url(), ["ORDER_PAID"])
        admin = await person(client, "admin@example.com", "Ada Admin")
        await join(client, owner, org, admin, role="ADMIN")
        hook.fail(1000)
        start = clock.now()
        delivery_id = await _ping(client, owner, endpoint_id)
        for _ in range(40):
            await deliver_due(resources)
            await owner.log_in_again(client)
            delivery = _only(await deliveries(client, owner, endpoint_id), delivery_id)
            if delivery["nextAttemptAt"] is None:
                break
            clock.set(when(delivery["nextAttemptAt"]))
        endpoint = await deliveries(client, owner, endpoint_id)

    assert delivery["status"] == "FAILED"
    attempts = [when(a["attemptedAt"]) for a in delivery["attempts"]]
    assert attempts[-1] == start + timedelta(hours=24)  # the last try at the end of the window
    assert max(b - a for a, b in itertools.pairwise(attempts)) <= timedelta(hours=4, minutes=48)
    assert len(hook.received) == len(attempts)
    assert endpoint["enabled"] is False and endpoint["disabledReason"] == "FAILING"
    assert when(endpoint["disabledAt"]) == attempts[-1]
    (told,) = await mailbox(client, owner.email, "webhook_disabled")
    assert hook.url() in told["body"] and "24" in told["body"]
    assert await mailbox(client, admin.email, "webhook_disabled") == []  # owners only

    # Disabled, it receives nothing more, until it is enabled again.
    refused = (await owner.gql(client, PING, {"id": endpoint_id}))["data"]["pingWebhookEndpoint"]
    assert [e["code"] for e in refused["userErrors"]] == ["ENDPOINT_DISABLED"]
    enabled = await owner.gql(client, UPDATE, {"input": {"endpointId": endpoint_id, "enabled": True}})
    result = enabled["data"]["updateWebhookEndpoint"]
    assert result["endpoint"]["enabled"] is True and result["endpoint"]["disabledReason"] is None


async def test_two_workers_at_once_send_each_delivery_once(local_client, engine, local, clock):
    client = local_client
    with receiver() as hook:
        owner, _, endpoint_id, _ = await _owner_with_endpoint(client, hook.url())
        for _ in range(6):
            await _ping(client, owner, endpoint_id)
        first, second = Resources.open(local, clock, engine), Resources.open(local, clock, engine)
        sent = await asyncio.gather(deliver_due(first), deliver_due(second))
        assert await deliver_due(first) == 0  # nothing left, nothing sent twice
    assert sum(sent) == 6
    assert len(hook.received) == 6 and len({r.headers["webhook-id"] for r in hook.received}) == 6
