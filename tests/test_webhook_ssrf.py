"""Where webhooks may not go: refused at registration (through the API) and again at every delivery."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.resources import Resources
from gateway.settings import Settings, SettingsError
from gateway.webhook_delivery import deliver_due, new_client, pinned_request
from tests.orgs import organization, person
from tests.webhooks import PING, UPDATE, create_endpoint, deliveries, delivery_nodes, receiver, registered

REFUSED_ADDRESSES = [
    "https://127.0.0.1/hooks",  # loopback
    "https://127.1.2.3/hooks",
    "https://localhost/hooks",  # a name resolving to loopback
    "https://10.1.2.3/hooks",  # private
    "https://172.16.0.1/hooks",
    "https://192.168.1.10/hooks",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "https://169.254.1.1/hooks",
    "https://100.64.0.1/hooks",  # carrier-grade NAT
    "https://0.0.0.0/hooks",  # unspecified
    "https://224.0.0.1/hooks",  # multicast
    "https://240.0.0.1/hooks",  # reserved
    "https://255.255.255.255/hooks",
    "https://192.0.0.8/hooks",  # IETF protocol assignments
    "https://198.18.0.1/hooks",  # benchmarking
    "https://192.0.2.1/hooks",  # documentation
    "https://[::1]/hooks",
    "https://[::]/hooks",
    "https://[fe80::1]/hooks",  # link-local
    "https://[fc00::1]/hooks",  # unique local
    "https://[fd00:ec2::254]/hooks",  # AWS metadata over IPv6
    "https://[ff02::1]/hooks",  # multicast
    "https://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped forms of the above
    "https://[::ffff:10.0.0.1]/hooks",
    "https://[::ffff:169.254.169.254]/hooks",
    "https://[64:ff9b::a00:1]/hooks",  # NAT64 of 10.0.0.1
    "https://[2002:a00:1::]/hooks",  # 6to4 of 10.0.0.1
    "https://[2001:db8::1]/hooks",  # documentation
]
BAD_URLS = {
    "http://8.8.8.8/hooks": "URL_NOT_HTTPS",
    "ftp://8.8.8.8/hooks": "URL_INVALID",
    "https://user:secret@8.8.8.8/hooks": "URL_INVALID",
    "https:///hooks": "URL_INVALID",
    "https://8.8.8.8:99999/hooks": "URL_INVALID",
    "not a url": "URL_INVALID",
    "https://8.8.8.8/" + "a" * 2048: "URL_INVALID",
}
ACCEPTED = ["https://8.8.8.8/hooks", "https://[2001:4860:4860::8888]/hooks", "https://1.1.1.1:8443/in?x=1"]


async def _owner(client):
    owner = await person(client, "owner@example.com")
    return owner, await organization(client, owner)


async def test_registration_refuses_every_address_that_is_not_public(client):
    owner, org = await _owner(client)
    refused = {}
    for url in REFUSED_ADDRESSES:
        created = await create_endpoint(client, owner, org, url)
        refused[url] = [(e["code"], e["field"]) for e in created["userErrors"]]
    assert refused == {key: [("ADDRESS_NOT_PUBLIC", ["input", "url"])] for key in REFUSED_ADDRESSES}


async def test_registration_refuses_what_is_not_an_https_url(client):
    owner, org = await _owner(client)
    codes = {
        url: [e["code"] for e in (await create_endpoint(client, owner, org, url))["userErrors"]] for url in BAD_URLS
    }
    assert codes == {url: [code] for url, code in BAD_URLS.items()}


async def test_public_addresses_are_accepted(client):
    owner, org = await _owner(client)
    for url in ACCEPTED:
        await registered(client, owner, org, url)


async def test_a_changed_url_is_checked_too(client):
    owner, org = await _owner(client)
    endpoint_id, _ = await registered(client, owner, org, ACCEPTED[0])
    changed = await owner.gql(client, UPDATE, {"input": {"endpointId": endpoint_id, "url": "https://10.0.0.1/x"}})
    assert changed["data"]["updateWebhookEndpoint"]["userErrors"] == [
        {"field": ["input", "url"], "code": "ADDRESS_NOT_PUBLIC"}
    ]


async def test_a_local_receiver_needs_both_development_settings(make_client, settings):
    only_http = await make_client(replace(settings, webhooks_allow_http=True))
    owner, org = await _owner(only_http)
    created = await create_endpoint(only_http, owner, org, "http://127.0.0.1:9/hooks")
    assert [e["code"] for e in created["userErrors"]] == ["ADDRESS_NOT_PUBLIC"]


def test_the_exceptions_are_refused_in_production():
    base = {
        "GATEWAY_ENVIRONMENT": "production",
        "GATEWAY_SECRET_KEY": "x" * 40,
        "GATEWAY_DATABASE_URL": "postgresql://h/d",
    }
    base["GATEWAY_PAYMENT_PROVIDER"] = "local-test"
    assert Settings.from_env(base).webhook_worker is True
    assert Settings.from_env(base | {"GATEWAY_WEBHOOK_WORKER": "0"}).webhook_worker is False
    for name in ("GATEWAY_WEBHOOKS_ALLOW_PRIVATE", "GATEWAY_WEBHOOKS_ALLOW_HTTP"):
        with pytest.raises(SettingsError, match="development only"):
            Settings.from_env(base | {name: "1"})


async def test_every_delivery_checks_the_address_again(make_client, settings, engine, clock):
    """Registered while local receivers were allowed; delivered by a worker without that setting (as a name
    that resolves elsewhere since registration would be): refused before any connection, and logged."""
    local = replace(settings, webhooks_allow_http=True, webhooks_allow_private=True)
    client = await make_client(local)
    with receiver() as hook:
        owner, org = await _owner(client)
        endpoint_id, _ = await registered(client, owner, org, hook.url())
        await owner.gql(client, PING, {"id": endpoint_id})
        strict = replace(local, webhooks_allow_private=False)
        assert await deliver_due(Resources.open(strict, clock, engine)) == 0
        assert hook.received == []
    (delivery,) = delivery_nodes(await deliveries(client, owner, endpoint_id))
    (attempt,) = delivery["attempts"]
    assert attempt["httpStatus"] is None and attempt["error"].startswith("refused: ADDRESS_NOT_PUBLIC")
    assert delivery["status"] == "PENDING"  # retried: the address may be fixed


async def test_the_connection_goes_to_the_vetted_address_with_the_original_host(make_client, settings, engine, clock):
    local = replace(settings, webhooks_allow_http=True, webhooks_allow_private=True)
    client = await make_client(local)
    with receiver() as hook:
        owner, org = await _owner(client)
        endpoint_id, _ = await registered(client, owner, org, hook.url(host="localhost"))
        await owner.gql(client, PING, {"id": endpoint_id})
        assert await deliver_due(Resources.open(local, clock, engine)) == 1
    assert hook.received[0].headers["host"] == f"localhost:{hook.port}"


async def test_redirects_are_not_followed_and_answers_are_cut(make_client, settings, engine, clock):
    local = replace(settings, webhooks_allow_http=True, webhooks_allow_private=True)
    client = await make_client(local)
    resources = Resources.open(local, clock, engine)
    with receiver() as hook:
        hook.plan.append((307, {"location": "http://169.254.169.254/latest/meta-data/"}, b""))
        hook.plan.append((200, {}, b"x" * 200_000))
        owner, org = await _owner(client)
        endpoint_id, _ = await registered(client, owner, org, hook.url())
        await owner.gql(client, PING, {"id": endpoint_id})
        await owner.gql(client, PING, {"id": endpoint_id})
        await deliver_due(resources)
        assert len(hook.received) == 2  # two pings, and nothing followed to the Location
    attempts = [d["attempts"][0] for d in delivery_nodes(await deliveries(client, owner, endpoint_id))]
    assert sorted(a["httpStatus"] for a in attempts) == [200, 307]
    assert max(len(a["responseExcerpt"] or "") for a in attempts) == 1024


async def test_a_request_is_pinned_to_the_vetted_address_keeping_host_and_sni():
    async with new_client() as client:
        request = pinned_request(client, "https://hooks.example.com:8443/in?x=1", "2001:db8::5", {"a": "b"}, "{}")
    assert str(request.url) == "https://[2001:db8::5]:8443/in?x=1"
    assert request.headers["host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    assert request.headers["a"] == "b" and request.content == b"{}"
