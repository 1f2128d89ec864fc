from __future__ import annotations

import pytest

from tests.orgs import buy, join, mark_paid, organization, person, place_order

PRODUCT = """query($id: ID!) { node(id: $id) { ... on Product { id name kind status expiresAt autoRenew termMonths
  domain { verificationStatus verificationDeadline registrant { name email } } parent { name } addOns { name }
  catalogItem { sku } } } }"""
ORDERS = """query($id: ID!) { organization(id: $id) { orders(first: 10) { edges { node { number status
  total { amountCents } lines { action } } } } } }"""
CANCEL = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } userErrors { code } } }"
RENEW = """mutation($id: ID!, $months: Int!) { renewProduct(input: {productId: $id, periodMonths: $months}) {
  order { number total { amountCents } lines { action description } } userErrors { field code } } }"""


async def test_catalog_is_public_and_lists_prices(client):
    body = (
        await client.post(
            "/graphql",
            json={"query": "{ catalog(kind: DOMAIN) { sku tld periods { months price { amountCents currency } } } }"},
        )
    ).json()
    items = {i["sku"]: i for i in body["data"]["catalog"]}
    assert {"domain-it", "domain-com", "domain-shop"} <= set(items)
    assert items["domain-it"]["periods"][0] == {"months": 12, "price": {"amountCents": 999, "currency": "EUR"}}
    addons = (await client.post("/graphql", json={"query": "{ catalog(kind: SSL) { sku isAddOn addOnFor } }"})).json()
    assert {"sku": "ssl-dv", "isAddOn": True, "addOnFor": ["HOSTING", "WORDPRESS_HOSTING", "SERVER"]} in addons["data"][
        "catalog"
    ]


async def test_order_totals_with_italian_vat_to_the_cent(client):
    owner = await person(client, "buyer@example.com")
    org = await organization(client, owner)
    result = await place_order(
        client,
        owner,
        org,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "Pizzeria-Napoli.IT"},
        {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": "pizzeria-napoli.it"},
    )
    assert result["userErrors"] == []
    order = result["order"]
    assert order["status"] == "PENDING_PAYMENT"
    assert order["number"].startswith("ORD-2026-")
    # 9.99 + 49.90 = 59.89; VAT 22% per line: 2.20 (2.1978) + 10.98 = 13.18
    assert order["subtotal"] == {"amountCents": 5989, "currency": "EUR"}
    assert order["vat"] == {"amountCents": 1318}
    assert order["total"] == {"amountCents": 7307}
    assert [line["product"]["status"] for line in order["lines"]] == ["PENDING_PAYMENT", "PENDING_PAYMENT"]
    assert order["lines"][0]["product"]["name"] == "pizzeria-napoli.it"


async def test_eu_business_gets_reverse_charge(client):
    owner = await person(client, "berlin@example.com")
    org = await organization(
        client, owner, "Berlin GmbH", vatNumber="DE136695976", taxCode=None, address={"country": "DE"}
    )
    result = await place_order(
        client, owner, org, {"sku": "domain-eu", "periodMonths": 12, "domainName": "berlin-web.eu"}
    )
    order = result["order"]
    assert order["vat"] == {"amountCents": 0}
    assert order["total"] == {"amountCents": 999}


async def test_paying_delivers_domains_active_and_hosting_to_configure(client, engine, settings, clock):
    owner = await person(client, "deliver@example.com")
    org = await organization(client, owner)
    domain, hosting = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "domain-com", "periodMonths": 24, "domainName": "deliver-test.com"},
        {"sku": "hosting-linux-pro", "periodMonths": 12},
    )
    got = (await owner.gql(client, PRODUCT, {"id": domain["id"]}))["data"]["node"]
    assert got["status"] == "ACTIVE"
    assert got["expiresAt"].startswith("2028-11-22")
    assert got["domain"]["verificationStatus"] == "PENDING"  # .com needs registrant verification
    assert got["domain"]["registrant"]["email"] == "deliver@example.com"
    hosting_now = (await owner.gql(client, PRODUCT, {"id": hosting["id"]}))["data"]["node"]
    assert hosting_now["status"] == "TO_CONFIGURE"
    assert hosting_now["expiresAt"].startswith("2027-11-22")
    orders = (await owner.gql(client, ORDERS, {"id": org}))["data"]["organization"]["orders"]["edges"]
    assert [o["node"]["status"] for o in orders] == ["PAID"]


@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        ({"sku": "domain-it", "periodMonths": 12, "domainName": "bad_name.it"}, "DOMAIN_INVALID", "domainName"),
        ({"sku": "domain-it", "periodMonths": 12, "domainName": "-start.it"}, "DOMAIN_INVALID", "domainName"),
        (
            {"sku": "domain-it", "periodMonths": 12, "domainName": "a" * 64 + ".it"},
            "DOMAIN_LABEL_TOO_LONG",
            "domainName",
        ),
        ({"sku": "domain-it", "periodMonths": 12, "domainName": "example.com"}, "TLD_MISMATCH", "domainName"),
        ({"sku": "domain-it", "periodMonths": 12, "domainName": "www.example.it"}, "DOMAIN_INVALID", "domainName"),
        ({"sku": "domain-it", "periodMonths": 12}, "DOMAIN_REQUIRED", "domainName"),
        ({"sku": "domain-it", "periodMonths": 7, "domainName": "seven.it"}, "PERIOD_NOT_OFFERED", "periodMonths"),
        ({"sku": "no-such-thing", "periodMonths": 12}, "SKU_UNKNOWN", "sku"),
        ({"sku": "ssl-dv", "periodMonths": 12}, "PARENT_REQUIRED", "parentProductId"),
    ],
)
async def test_order_lines_are_validated(client, line, code, field):
    owner = await person(client, "validate-order@example.com")
    org = await organization(client, owner)
    result = await place_order(client, owner, org, line)
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, ["input", "lines", "0", field])]
    assert result["order"] is None


async def test_idn_domains_are_stored_in_ascii(client):
    owner = await person(client, "idn@example.com")
    org = await organization(client, owner)
    result = await place_order(client, owner, org, {"sku": "domain-it", "periodMonths": 12, "domainName": "Città.it"})
    product = result["order"]["lines"][0]["product"]
    assert product["name"] == "città.it"  # people read Unicode; registries and DNS get the ASCII form
    found = await owner.gql(
        client, "query($id: ID!) { node(id: $id) { ... on Product { nameAscii } } }", {"id": product["id"]}
    )
    assert found["data"]["node"] == {"nameAscii": "xn--citt-3na.it"}


async def test_a_domain_cannot_be_ordered_twice(client):
    first = await person(client, "first-buyer@example.com")
    org1 = await organization(client, first, "First")
    second = await person(client, "second-buyer@example.com")
    org2 = await organization(client, second, "Second")
    assert (await place_order(client, first, org1, {"sku": "domain-it", "periodMonths": 12, "domainName": "unico.it"}))[
        "userErrors"
    ] == []
    taken = await place_order(client, second, org2, {"sku": "domain-it", "periodMonths": 12, "domainName": "UNICO.it"})
    assert taken["userErrors"][0]["code"] == "DOMAIN_UNAVAILABLE"
    twice = await place_order(
        client,
        second,
        org2,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "doppio.it"},
        {"sku": "domain-it", "periodMonths": 24, "domainName": "doppio.it"},
    )
    assert [(e["code"], e["field"]) for e in twice["userErrors"]] == [
        ("DOMAIN_UNAVAILABLE", ["input", "lines", "1", "domainName"])
    ]


async def test_cancelling_an_order_frees_its_domain(client):
    owner = await person(client, "canceller@example.com")
    org = await organization(client, owner)
    placed = await place_order(
        client, owner, org, {"sku": "domain-it", "periodMonths": 12, "domainName": "ripensato.it"}
    )
    cancelled = await owner.gql(client, CANCEL, {"id": placed["order"]["id"]})
    assert cancelled["data"]["cancelOrder"] == {"order": {"status": "CANCELLED"}, "userErrors": []}
    again = await owner.gql(client, CANCEL, {"id": placed["order"]["id"]})
    assert again["data"]["cancelOrder"]["userErrors"] == [{"code": "NOT_PENDING"}]
    reorder = await place_order(
        client, owner, org, {"sku": "domain-it", "periodMonths": 12, "domainName": "ripensato.it"}
    )
    assert reorder["userErrors"] == []


async def test_add_ons_attach_only_to_the_right_kind_in_the_same_organization(client, engine, settings, clock):
    owner = await person(client, "addons@example.com")
    org = await organization(client, owner)
    domain, hosting = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "addon-test.it"},
        {"sku": "hosting-linux-start", "periodMonths": 12},
    )
    wrong = await place_order(
        client, owner, org, {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": domain["id"]}
    )
    assert wrong["userErrors"][0]["code"] == "ADDON_WRONG_KIND"
    other_owner = await person(client, "someone-else@example.com")
    other_org = await organization(client, other_owner, "Elsewhere")
    foreign = await place_order(
        client, other_owner, other_org, {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": hosting["id"]}
    )
    assert foreign["userErrors"][0]["code"] == "PARENT_NOT_FOUND"
    (ssl,) = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": hosting["id"]},
    )
    got = (await owner.gql(client, PRODUCT, {"id": hosting["id"]}))["data"]["node"]
    assert got["addOns"] == [{"name": ssl["name"]}]
    assert (await owner.gql(client, PRODUCT, {"id": ssl["id"]}))["data"]["node"]["parent"]["name"] == hosting["name"]


async def test_renewal_order_extends_the_expiry_when_paid(client, engine, settings, clock):
    owner = await person(client, "renew@example.com")
    org = await organization(client, owner)
    (domain,) = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "rinnovo.it"},
    )
    renewal = (await owner.gql(client, RENEW, {"id": domain["id"], "months": 24}))["data"]["renewProduct"]
    assert renewal["userErrors"] == []
    assert renewal["order"]["lines"][0]["action"] == "RENEWAL"
    assert renewal["order"]["total"] == {"amountCents": 2316}  # 18.98 + 22% VAT
    twice = (await owner.gql(client, RENEW, {"id": domain["id"], "months": 12}))["data"]["renewProduct"]
    assert twice["userErrors"] == [{"field": ["input", "productId"], "code": "RENEWAL_PENDING"}]
    await mark_paid(engine, settings, clock, renewal["order"])
    got = (await owner.gql(client, PRODUCT, {"id": domain["id"]}))["data"]["node"]
    assert got["expiresAt"].startswith("2029-11-22")
    bad_period = (await owner.gql(client, RENEW, {"id": domain["id"], "months": 5}))["data"]["renewProduct"]
    assert bad_period["userErrors"][0]["code"] == "PERIOD_NOT_OFFERED"


async def test_ordering_needs_the_order_right(client):
    owner = await person(client, "order-owner@example.com")
    org = await organization(client, owner)
    viewer = await person(client, "just-looking@example.com")
    await join(client, owner, org, viewer, rights=["VIEW_PRODUCTS"])
    body = await viewer.gql(
        client,
        'mutation($id: ID!) { placeOrder(input: {organizationId: $id, lines: [{sku: "domain-it",'
        ' periodMonths: 12, domainName: "x-y.it"}]}) { order { id } } }',
        {"id": org},
    )
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "ORDER"}
