from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gateway.resources import Resources
from resolvers import jobs
from tests.graphql import gql, mailbox
from tests.orgs import buy, organization, person

NODE = """query($id: ID!) { node(id: $id) { ... on Product { name status suspendedReason autoRenew settings
  cancellation { effectiveAt } domain { verificationStatus registrant { name email } } organization { name } } } }"""
CONFIGURE = """mutation($id: ID!, $settings: JSON!) { configureProduct(input: {productId: $id, settings: $settings}) {
  product { status settings } userErrors { field code message } } }"""
CANCEL = """mutation($id: ID!) { requestCancellation(input: {productId: $id}) {
  effectiveAt withinNotice product { cancellation { effectiveAt } } userErrors { code } } }"""
UNBLOCK = """mutation($id: ID!, $ip: String!) { unblockIp(input: {productId: $id, ip: $ip}) {
  product { name } userErrors { field code } } }"""
REGISTRANT = """mutation($id: ID!, $r: RegistrantInput!) { updateRegistrant(input: {productId: $id, registrant: $r}) {
  product { domain { verificationStatus registrant { email } } } userErrors { field code message } } }"""
CONFIRM = "mutation($t: String!) { confirmVerification(input: {token: $t}) { verified userErrors { code } } }"
TRANSFER = """mutation($id: ID!, $to: ID!) { transferProduct(input: {productId: $id, toOrganizationId: $to}) {
  transfer { id status } product { organization { name } } userErrors { code } } }"""
AUTO = """mutation($id: ID!, $on: Boolean!) { setAutoRenew(input: {productId: $id, enabled: $on}) {
  product { autoRenew } userErrors { code } } }"""
REGISTRANT_DATA = {
    "type": "PERSON",
    "name": "Mario Rossi",
    "email": "mario.rossi@example.org",
    "phone": "+39 055 123456",
    "street": "Via Roma 1",
    "postalCode": "50100",
    "city": "Firenze",
    "country": "IT",
    "taxCode": "RSSMRA80A01H501U",
}


@pytest.fixture
async def shop(client, engine, settings, clock):
    owner = await person(client, "shop-owner@example.com")
    org = await organization(client, owner, "Shop Srl")
    domain, hosting, server = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "domain-com", "periodMonths": 12, "domainName": "shop-test.com"},
        {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": "shop-test.com"},
        {"sku": "vps-cloud-s", "periodMonths": 12},
    )
    return owner, org, domain, hosting, server


async def test_configure_needs_the_kinds_settings(client, shop):
    owner, _, _, hosting, _ = shop
    bad = await owner.gql(client, CONFIGURE, {"id": hosting["id"], "settings": {"phpVersion": "5.6", "color": "red"}})
    errors = bad["data"]["configureProduct"]["userErrors"]
    assert {tuple(e["field"]) for e in errors} == {
        ("input", "settings", "domain"),
        ("input", "settings", "phpVersion"),
        ("input", "settings", "color"),
    }
    ok = await owner.gql(
        client, CONFIGURE, {"id": hosting["id"], "settings": {"domain": "Shop-Test.com", "phpVersion": "8.3"}}
    )
    assert ok["data"]["configureProduct"] == {
        "product": {"status": "ACTIVE", "settings": {"domain": "shop-test.com", "phpVersion": "8.3"}},
        "userErrors": [],
    }
    again = await owner.gql(client, CONFIGURE, {"id": hosting["id"], "settings": {}})
    assert again["data"]["configureProduct"]["userErrors"][0]["code"] == "NOT_TO_CONFIGURE"


async def test_cancellation_with_sixty_days_notice_ends_at_expiry(client, shop):
    owner, _, domain, _, _ = shop
    body = (await owner.gql(client, CANCEL, {"id": domain["id"]}))["data"]["requestCancellation"]
    assert body["withinNotice"] is True
    assert body["effectiveAt"].startswith("2027-11-22")
    again = (await owner.gql(client, CANCEL, {"id": domain["id"]}))["data"]["requestCancellation"]
    assert again["userErrors"] == [{"code": "ALREADY_REQUESTED"}]


async def test_late_cancellation_ends_after_the_next_term(client, shop, clock):
    owner, _, domain, _, _ = shop
    clock.advance(timedelta(days=365 - 59))  # 59 days before expiry: too late for this term
    await owner.log_in_again(client)
    body = (await owner.gql(client, CANCEL, {"id": domain["id"]}))["data"]["requestCancellation"]
    assert body["withinNotice"] is False
    assert body["effectiveAt"].startswith("2028-11-22")


async def test_cancellation_takes_effect_through_the_job_with_add_ons(client, engine, settings, clock, shop):
    owner, org, _, hosting, _ = shop
    (ssl,) = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": hosting["id"]},
    )
    await owner.gql(client, CANCEL, {"id": hosting["id"]})
    resources = Resources.open(settings, clock, engine)
    assert (await jobs.run(resources.db, settings, clock.now())).cancelled == 0
    clock.advance(timedelta(days=366))
    report = await jobs.run(resources.db, settings, clock.now())
    assert report.cancelled == 2
    assert (await jobs.run(resources.db, settings, clock.now())).cancelled == 0  # idempotent
    await owner.log_in_again(client)
    for product in (hosting, ssl):
        assert (await owner.gql(client, NODE, {"id": product["id"]}))["data"]["node"]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("ip", "code"),
    [
        ("not-an-ip", "IP_INVALID"),
        ("10.0.0.8", "IP_NOT_PUBLIC"),
        ("127.0.0.1", "IP_NOT_PUBLIC"),
        ("fe80::1", "IP_NOT_PUBLIC"),
        ("fe80::1%eth0", "IP_NOT_PUBLIC"),
        ("203.0.113.5", "IP_NOT_PUBLIC"),  # documentation (TEST-NET-3)
        ("198.51.100.7", "IP_NOT_PUBLIC"),  # documentation (TEST-NET-2)
        ("2001:db8::1", "IP_NOT_PUBLIC"),  # documentation
        ("224.0.0.1", "IP_NOT_PUBLIC"),  # multicast, which Python counts as global
        ("239.255.255.250", "IP_NOT_PUBLIC"),
        ("ff0e::1", "IP_NOT_PUBLIC"),  # global-scope IPv6 multicast
        ("240.0.0.1", "IP_NOT_PUBLIC"),  # reserved
        ("255.255.255.255", "IP_NOT_PUBLIC"),
        ("0.0.0.0", "IP_NOT_PUBLIC"),  # noqa: S104 (an address refused, not one bound to)
        ("::", "IP_NOT_PUBLIC"),
        ("::1", "IP_NOT_PUBLIC"),
        ("100.64.0.1", "IP_NOT_PUBLIC"),  # carrier-grade NAT
        ("169.254.1.1", "IP_NOT_PUBLIC"),
        ("192.168.1.1", "IP_NOT_PUBLIC"),
        ("fc00::1", "IP_NOT_PUBLIC"),  # unique local
        ("fec0::1", "IP_NOT_PUBLIC"),  # site-local, deprecated
        ("192.88.99.1", "IP_NOT_PUBLIC"),  # 6to4 relay anycast, deprecated
        ("64:ff9b::808:808", "IP_NOT_PUBLIC"),  # NAT64 translation of 8.8.8.8
        ("::ffff:8.8.8.8", "IP_NOT_PUBLIC"),  # IPv4-mapped
    ],
)
async def test_unblock_ip_needs_a_public_address(client, shop, ip, code):
    owner, _, _, _, server = shop
    body = await owner.gql(client, UNBLOCK, {"id": server["id"], "ip": ip})
    assert body["data"]["unblockIp"]["userErrors"] == [{"field": ["input", "ip"], "code": code}]


async def test_the_examples_in_unblock_ip_errors_are_accepted(client, shop):
    owner, _, _, _, server = shop
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKuqDdX3UiN8T3s6b9wZq0xkYbWyq1T0d2mA9m4pJc6e admin@shop"
    settings = {"hostname": "vps.shop-test.com", "os": "debian-12", "sshPublicKey": key}
    assert (await owner.gql(client, CONFIGURE, {"id": server["id"], "settings": settings}))["data"]["configureProduct"][
        "userErrors"
    ] == []
    query = UNBLOCK.replace("userErrors { field code }", "userErrors { field code message }")
    examples: set[str] = set()
    for wrong in ("not-an-ip", "10.0.0.8"):
        message = (await owner.gql(client, query, {"id": server["id"], "ip": wrong}))["data"]["unblockIp"][
            "userErrors"
        ][0]["message"]
        found = re.findall(r"(\S+) (?:or|o) (\S+?)\.?$", message)
        assert found, message
        examples.update(found[0])
    assert len(examples) == 2
    for example in sorted(examples):
        body = await owner.gql(client, UNBLOCK, {"id": server["id"], "ip": example})
        assert body["data"]["unblockIp"]["userErrors"] == [], (example, body)


async def test_unblock_ip_is_recorded_and_rate_limited(client, shop):
    owner, org, domain, hosting, server = shop
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKuqDdX3UiN8T3s6b9wZq0xkYbWyq1T0d2mA9m4pJc6e admin@shop"
    configured = await owner.gql(
        client,
        CONFIGURE,
        {"id": server["id"], "settings": {"hostname": "vps.shop-test.com", "os": "debian-12", "sshPublicKey": key}},
    )
    assert configured["data"]["configureProduct"]["userErrors"] == []
    for ip in ("8.8.8.8", "2001:4860:4860::8888", "1.1.1.1", "9.9.9.9", "8.8.4.4"):
        assert (await owner.gql(client, UNBLOCK, {"id": server["id"], "ip": ip}))["data"]["unblockIp"][
            "userErrors"
        ] == []
    sixth = await owner.gql(client, UNBLOCK, {"id": server["id"], "ip": "4.4.4.4"})
    assert sixth["data"]["unblockIp"]["userErrors"][0]["code"] == "TOO_MANY_UNBLOCKS"
    on_domain = await owner.gql(client, UNBLOCK, {"id": domain["id"], "ip": "4.4.4.4"})
    assert on_domain["data"]["unblockIp"]["userErrors"][0]["code"] == "UNSUPPORTED_KIND"
    not_active = await owner.gql(client, UNBLOCK, {"id": hosting["id"], "ip": "4.4.4.4"})  # still TO_CONFIGURE
    assert not_active["data"]["unblockIp"]["userErrors"][0]["code"] == "PRODUCT_NOT_ACTIVE"
    audit = await owner.gql(
        client,
        "query($id: ID!) { organization(id: $id) { auditLog(first: 3) { edges { node { action details } } } } }",
        {"id": org},
    )
    assert audit["data"]["organization"]["auditLog"]["edges"][0]["node"] == {
        "action": "product.unblock_ip",
        "details": {"ip": "8.8.4.4"},
    }


def _token(message: dict) -> str:
    match = re.search(r"token=(gwv_[\w-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)


async def test_gtld_verification_suspends_after_fifteen_days_and_confirming_reactivates(
    client, engine, settings, clock, shop
):
    owner, _, domain, _, _ = shop
    sent = [m for m in await mailbox(client, "shop-owner@example.com") if m["kind"] == "domain_verification"]
    assert len(sent) == 1 and "shop-test.com" in sent[0]["subject"]
    resources = Resources.open(settings, clock, engine)
    clock.advance(timedelta(days=14))
    assert (await jobs.run(resources.db, settings, clock.now())).suspended_unverified == 0
    clock.advance(timedelta(days=2))
    assert (await jobs.run(resources.db, settings, clock.now())).suspended_unverified == 1
    await owner.log_in_again(client)
    node = (await owner.gql(client, NODE, {"id": domain["id"]}))["data"]["node"]
    assert (node["status"], node["suspendedReason"]) == ("SUSPENDED", "VERIFICATION")
    confirmed = await gql(client, CONFIRM, {"t": _token(sent[0])})
    assert confirmed["data"]["confirmVerification"] == {"verified": True, "userErrors": []}
    node = (await owner.gql(client, NODE, {"id": domain["id"]}))["data"]["node"]
    assert (node["status"], node["domain"]["verificationStatus"]) == ("ACTIVE", "VERIFIED")
    reused = await gql(client, CONFIRM, {"t": _token(sent[0])})
    assert reused["data"]["confirmVerification"]["userErrors"] == [{"code": "TOKEN_INVALID"}]


async def test_it_domains_need_no_email_verification(client, engine, settings, clock, shop):
    owner, org, *_ = shop
    (domain,) = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "negozio.it"},
    )
    node = (await owner.gql(client, NODE, {"id": domain["id"]}))["data"]["node"]
    assert node["domain"]["verificationStatus"] is None


async def test_new_registrant_email_is_verified_again(client, shop):
    owner, _, domain, _, _ = shop
    bad = await owner.gql(client, REGISTRANT, {"id": domain["id"], "r": REGISTRANT_DATA | {"taxCode": "XXXXXX"}})
    assert bad["data"]["updateRegistrant"]["userErrors"][0]["field"] == ["input", "registrant", "taxCode"]
    ok = await owner.gql(client, REGISTRANT, {"id": domain["id"], "r": REGISTRANT_DATA})
    assert ok["data"]["updateRegistrant"]["product"]["domain"] == {
        "verificationStatus": "PENDING",
        "registrant": {"email": "mario.rossi@example.org"},
    }
    assert [m["kind"] for m in await mailbox(client, "mario.rossi@example.org")] == ["domain_verification"]
    resend = await owner.gql(
        client,
        "mutation($id: ID!) { resendVerification(input: {productId: $id}) { userErrors { code } } }",
        {"id": domain["id"]},
    )
    assert resend["data"]["resendVerification"]["userErrors"] == []
    assert len(await mailbox(client, "mario.rossi@example.org")) == 2
    not_domain = await owner.gql(client, REGISTRANT, {"id": shop[3]["id"], "r": REGISTRANT_DATA})
    assert not_domain["data"]["updateRegistrant"]["userErrors"][0]["code"] == "NOT_A_DOMAIN"


async def test_an_owner_of_both_organizations_still_accepts_the_hand_off_explicitly(
    client, engine, settings, clock, shop
):
    owner, org, _, hosting, _ = shop
    (ssl,) = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": hosting["id"]},
    )
    new_org = await organization(client, owner, "Shop Nuova Srl", vatNumber="IT07643520567", taxCode="07643520567")
    addon = await owner.gql(client, TRANSFER, {"id": ssl["id"], "to": new_org})
    assert addon["data"]["transferProduct"]["userErrors"] == [{"code": "ADDON_MOVES_WITH_PARENT"}]
    offered = await owner.gql(client, TRANSFER, {"id": hosting["id"], "to": new_org})
    transfer = offered["data"]["transferProduct"]
    assert transfer["userErrors"] == [] and transfer["transfer"]["status"] == "PENDING"
    assert transfer["product"]["organization"]["name"] == "Shop Srl"  # it moves only when accepted
    accept = """mutation($id: ID!) { acceptProductTransfer(input: {transferId: $id}) {
      product { organization { name } } userErrors { code } } }"""
    accepted = await owner.gql(client, accept, {"id": transfer["transfer"]["id"]})
    assert accepted["data"]["acceptProductTransfer"] == {
        "product": {"organization": {"name": "Shop Nuova Srl"}},
        "userErrors": [],
    }
    assert (await owner.gql(client, NODE, {"id": ssl["id"]}))["data"]["node"]["organization"][
        "name"
    ] == "Shop Nuova Srl"
    log = "query($id: ID!) { organization(id: $id) { auditLog(first: 1) { edges { node { action } } } } }"
    assert (await owner.gql(client, log, {"id": org}))["data"]["organization"]["auditLog"]["edges"][0]["node"][
        "action"
    ] == "product.transfer_out"
    assert (await owner.gql(client, log, {"id": new_org}))["data"]["organization"]["auditLog"]["edges"][0]["node"][
        "action"
    ] == "product.transfer_in"


async def test_auto_renew_and_deletion_blocker(client, shop):
    owner, org, domain, _, _ = shop
    off = await owner.gql(client, AUTO, {"id": domain["id"], "on": False})
    assert off["data"]["setAutoRenew"] == {"product": {"autoRenew": False}, "userErrors": []}
    blockers = await owner.gql(
        client, "query($id: ID!) { organization(id: $id) { deletionBlockers { code } } }", {"id": org}
    )
    assert blockers["data"]["organization"]["deletionBlockers"] == [{"code": "ACTIVE_PRODUCTS"}]
    delete = await owner.gql(
        client,
        'mutation($id: ID!) { deleteOrganization(input: {organizationId: $id, confirmName: "Shop Srl"})'
        " { userErrors { code } } }",
        {"id": org},
    )
    assert delete["data"]["deleteOrganization"]["userErrors"] == [{"code": "ACTIVE_PRODUCTS"}]
