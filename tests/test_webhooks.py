"""Webhook endpoints through the API: who may register them, what gets refused, and which events each
organization's endpoints receive (written in the transaction of the change, carrying only its own data)."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text
from strawberry import relay

from gateway.resources import Resources
from resolvers import jobs, sealed
from resolvers.webhooks import SEALING
from tests.orgs import Person, buy, join, organization, person
from tests.webhooks import ALL_EVENTS, CREATE, create_endpoint, deliveries, delivery_nodes, registered

PUBLIC = "https://8.8.8.8/hooks"  # a literal public address: registration resolves nothing
LIST = """query($id: ID!) { organization(id: $id) { webhookEndpoints(first: 10) { totalCount
  edges { node { id url events enabled createdAt createdBy { email } } } } } }"""
REMOVE = "mutation($id: ID!) { removeMember(input: {memberId: $id}) { removedMemberId userErrors { code } } }"
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) {
  deletedEndpointId userErrors { code } } }"""


def ghost(type_name: str) -> str:
    return str(relay.GlobalID(type_name, str(uuid.uuid4())))


async def test_an_owner_registers_an_endpoint_and_sees_its_secret_once(client):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    created = await create_endpoint(client, owner, org, PUBLIC, ["ORDER_PAID", "MEMBER_JOINED"])
    assert created["userErrors"] == []
    assert created["endpoint"]["events"] == ["MEMBER_JOINED", "ORDER_PAID"]
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    listed = await owner.gql(client, LIST, {"id": org})
    endpoints = listed["data"]["organization"]["webhookEndpoints"]
    assert endpoints["totalCount"] == 1
    node = endpoints["edges"][0]["node"]
    assert node["url"] == PUBLIC and node["enabled"] is True and node["createdBy"] == {"email": owner.email}
    # Nothing after the creation answers the secret again, whatever is asked.
    again = await client.post("/graphql", json={"query": LIST, "variables": {"id": org}}, headers=_bearer(owner))
    assert secret.removeprefix("whsec_") not in again.text


def _bearer(who: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {who.token}"}


async def test_registering_needs_manage_organization_and_other_tenants_see_nothing(client):
    owner = await person(client, "owner@example.com")
    plain = await person(client, "plain@example.com")
    manager = await person(client, "manager@example.com")
    outsider = await person(client, "outsider@example.com")
    org = await organization(client, owner)
    await organization(client, outsider, "Altra Srl")
    await join(client, owner, org, plain)
    await join(client, owner, org, manager, rights=["MANAGE_ORGANIZATION"])
    endpoint_id, _ = await registered(client, owner, org, PUBLIC)

    refused = await plain.gql(client, CREATE, {"input": {"organizationId": org, "url": PUBLIC, "events": ALL_EVENTS}})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["errors"][0]["extensions"]["missingRight"] == "MANAGE_ORGANIZATION"
    listed = await plain.gql(client, LIST, {"id": org})
    assert listed["errors"][0]["extensions"]["missingRight"] == "MANAGE_ORGANIZATION"

    by_manager = await create_endpoint(client, manager, org, "https://1.1.1.1/in")
    assert by_manager["userErrors"] == []

    variables = {"input": {"organizationId": org, "url": PUBLIC, "events": ALL_EVENTS}}
    foreign = await outsider.gql(client, CREATE, variables)
    nowhere = await outsider.gql(
        client, CREATE, {"input": variables["input"] | {"organizationId": ghost("Organization")}}
    )
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert foreign["errors"][0]["message"] == nowhere["errors"][0]["message"]
    deleted = await outsider.gql(client, DELETE, {"id": endpoint_id})
    assert deleted["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await outsider.gql(client, LIST, {"id": org}))["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_events_a_subscription_names_are_required_and_ping_is_not_one(client):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    none = await create_endpoint(client, owner, org, PUBLIC, [])
    assert [e["code"] for e in none["userErrors"]] == ["EVENTS_REQUIRED"]
    ping = await create_endpoint(client, owner, org, PUBLIC, ["WEBHOOK_PING"])
    assert [e["code"] for e in ping["userErrors"]] == ["EVENT_NOT_SUBSCRIBABLE"]


async def test_at_most_ten_endpoints(client):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    for i in range(10):
        await registered(client, owner, org, f"https://8.8.8.8/hooks/{i}")
    eleventh = await create_endpoint(client, owner, org, PUBLIC)
    assert [e["code"] for e in eleventh["userErrors"]] == ["TOO_MANY_ENDPOINTS"]


async def test_deleting_an_endpoint(client):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    endpoint_id, _ = await registered(client, owner, org, PUBLIC)
    deleted = await owner.gql(client, DELETE, {"id": endpoint_id})
    assert deleted["data"]["deleteWebhookEndpoint"] == {"deletedEndpointId": endpoint_id, "userErrors": []}
    again = await owner.gql(client, DELETE, {"id": endpoint_id})
    assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def _two_tenants(client):
    owner = await person(client, "owner@example.com", "Olga Owner")
    rival = await person(client, "rival@example.com", "Rita Rival")
    org = await organization(client, owner, "Alfa Srl")
    other = await organization(client, rival, "Betulla Srl")
    mine, _ = await registered(client, owner, org, PUBLIC)
    theirs, _ = await registered(client, rival, other, "https://1.1.1.1/hooks")
    return owner, rival, org, other, mine, theirs


def _events(endpoint: dict) -> list[str]:
    return sorted(d["eventType"] for d in delivery_nodes(endpoint))


async def test_joining_and_removal_are_events_of_that_organization_only(client):
    owner, rival, org, _, mine, theirs = await _two_tenants(client)
    newcomer = await person(client, "newcomer@example.com", "Nina Newcomer")
    member_id = await join(client, owner, org, newcomer, rights=["VIEW_BILLING"])
    removed = await owner.gql(client, REMOVE, {"id": member_id})
    assert removed["data"]["removeMember"]["userErrors"] == []

    endpoint = await deliveries(client, owner, mine)
    assert _events(endpoint) == ["MEMBER_JOINED", "MEMBER_REMOVED"]
    joined = next(d for d in delivery_nodes(endpoint) if d["eventType"] == "MEMBER_JOINED")
    assert joined["status"] == "PENDING" and joined["attemptCount"] == 0
    payload = joined["payload"]
    assert payload["type"] == "member.joined"
    assert payload["data"] == {
        "organizationId": org,
        "member": {"id": member_id, "email": newcomer.email, "fullName": "Nina Newcomer", "role": "MEMBER"},
    }
    assert payload["timestamp"].endswith("Z")
    assert delivery_nodes(await deliveries(client, rival, theirs)) == []


async def test_a_refused_change_writes_no_event(client):
    owner, _, org, _, mine, _ = await _two_tenants(client)
    own_member = await owner.gql(
        client, "query($id: ID!) { organization(id: $id) { myMembership { id } } }", {"id": org}
    )
    refused = await owner.gql(client, REMOVE, {"id": own_member["data"]["organization"]["myMembership"]["id"]})
    assert refused["data"]["removeMember"]["userErrors"] != []
    assert delivery_nodes(await deliveries(client, owner, mine)) == []


async def test_a_paid_order_is_told_with_its_invoice_and_products(client, engine, settings, clock):
    owner, rival, org, _, mine, theirs = await _two_tenants(client)
    domain = {"sku": "domain-it", "periodMonths": 12, "domainName": "alfa-webhook.it"}
    (product,) = await buy(client, engine, settings, clock, owner, org, domain)
    endpoint = await deliveries(client, owner, mine)
    assert _events(endpoint) == ["INVOICE_ISSUED", "ORDER_PAID", "PRODUCT_STATUS_CHANGED"]
    by_type = {d["eventType"]: d["payload"]["data"] for d in delivery_nodes(endpoint)}
    assert by_type["PRODUCT_STATUS_CHANGED"] == {
        "organizationId": org,
        "product": {"id": product["id"], "name": "alfa-webhook.it", "kind": "DOMAIN"},
        "previousStatus": "PENDING_PAYMENT",
        "status": "ACTIVE",
    }
    order = by_type["ORDER_PAID"]["order"]
    assert order["number"].startswith("ORD-") and order["total"]["currency"] == "EUR"
    assert relay.GlobalID.from_id(order["id"]).type_name == "Order"
    invoice = by_type["INVOICE_ISSUED"]["invoice"]
    assert invoice["orderId"] == order["id"] and invoice["total"] == order["total"]
    # Only the organization's own data: nothing of the other tenant, no registrant data, no secrets.
    text = str([d["payload"] for d in delivery_nodes(endpoint)])
    for foreign in ("Betulla", "rival@example.com", "registrant", "password", "token"):
        assert foreign not in text
    assert delivery_nodes(await deliveries(client, rival, theirs)) == []


async def test_expiry_notices_are_events_and_so_are_expiries(client, engine, settings, clock):
    owner, _, org, _, mine, _ = await _two_tenants(client)
    domain = {"sku": "domain-it", "periodMonths": 12, "domainName": "alfa-scade.it"}
    (product,) = await buy(client, engine, settings, clock, owner, org, domain)
    set_auto_renew = """mutation($id: ID!) { setAutoRenew(input: {productId: $id, enabled: false}) {
      userErrors { code } } }"""
    assert (await owner.gql(client, set_auto_renew, {"id": product["id"]}))["data"]["setAutoRenew"]["userErrors"] == []
    resources = Resources.open(settings, clock, engine)
    clock.advance(timedelta(days=365 - 29))
    await jobs.run(resources.db, settings, clock.now())
    await jobs.run(resources.db, settings, clock.now())  # the same notice is not told twice
    await owner.log_in_again(client)
    expiring = [
        d for d in delivery_nodes(await deliveries(client, owner, mine)) if d["eventType"] == "PRODUCT_EXPIRING"
    ]
    assert len(expiring) == 1
    data = expiring[0]["payload"]["data"]
    assert data["product"]["id"] == product["id"] and data["daysLeft"] == 30 and data["autoRenew"] is False
    clock.advance(timedelta(days=23))
    await jobs.run(resources.db, settings, clock.now())
    clock.advance(timedelta(days=7))
    await jobs.run(resources.db, settings, clock.now())
    await owner.log_in_again(client)
    endpoint = await deliveries(client, owner, mine)
    changes = [d["payload"]["data"] for d in delivery_nodes(endpoint) if d["eventType"] == "PRODUCT_STATUS_CHANGED"]
    assert {(c["previousStatus"], c["status"]) for c in changes} == {
        ("PENDING_PAYMENT", "ACTIVE"),
        ("ACTIVE", "EXPIRED"),
    }
    days = sorted(
        d["payload"]["data"]["daysLeft"] for d in delivery_nodes(endpoint) if d["eventType"] == "PRODUCT_EXPIRING"
    )
    assert days == [7, 30]


async def test_a_disabled_endpoint_gets_no_events_and_changes_are_audited(client):
    owner, _, org, _, mine, _ = await _two_tenants(client)
    update = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
      endpoint { enabled disabledAt disabledReason events } userErrors { code } } }"""
    off = await owner.gql(
        client, update, {"input": {"endpointId": mine, "enabled": False, "events": ["MEMBER_JOINED"]}}
    )
    endpoint = off["data"]["updateWebhookEndpoint"]["endpoint"]
    assert endpoint["enabled"] is False and endpoint["disabledReason"] == "BY_USER" and endpoint["disabledAt"]
    assert endpoint["events"] == ["MEMBER_JOINED"]
    await join(client, owner, org, await person(client, "late@example.com"))
    assert delivery_nodes(await deliveries(client, owner, mine)) == []
    audit = await owner.gql(
        client,
        "query($id: ID!) { organization(id: $id) { auditLog(first: 10) { edges { node { action } } } } }",
        {"id": org},
    )
    actions = [e["node"]["action"] for e in audit["data"]["organization"]["auditLog"]["edges"]]
    assert "webhook.create" in actions and "webhook.update" in actions


async def test_signing_secrets_are_sealed_at_rest_and_open_only_for_their_row(client, engine, settings):
    """A copied table signs nothing: no form of the secret is stored, and a ciphertext opens only under the
    server's key and for the row it was sealed for."""
    owner = await person(client, "sealed@example.com")
    org = await organization(client, owner)
    secret = (await create_endpoint(client, owner, org, PUBLIC, ["ORDER_PAID"]))["secret"]
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT id, secret_sealed FROM webhook_secrets"))).one()
    stored = bytes(row.secret_sealed)
    assert secret.encode() not in stored and raw not in stored and secret.removeprefix("whsec_").encode() not in stored
    assert sealed.unseal(settings.secret_key, SEALING, row.id, stored) == secret
    with pytest.raises(InvalidTag):
        sealed.unseal(settings.secret_key, SEALING, uuid.uuid4(), stored)
    with pytest.raises(InvalidTag):
        sealed.unseal(settings.secret_key + "-other", SEALING, row.id, stored)
