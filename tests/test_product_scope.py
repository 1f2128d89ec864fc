"""Product scope: a member limited to some products sees and touches only those, everywhere (lists, counts,
search, `node(id:)`, nested fields, the agency view, orders), and product rights are enforced. All through HTTP
against the real database.

The main scenario: the owner of Alfa and Beta buys eight products in five orders, then lets a member see two of
Alfa's six and one of Beta's two.

    Alfa   pizzeria-napoli.it (domain)                      out of scope   order "domains"
           la-pizza.com (domain)                            out of scope   order "domains"
           trattoria.it (hosting, TO_CONFIGURE)             IN SCOPE       order "trattoria"
           osteria.it (hosting, TO_CONFIGURE)               out of scope   order "osteria"
           Certificato SSL DV · trattoria.it (add-on)       out of scope   order "certificates"
           Certificato SSL DV · osteria.it (add-on)         IN SCOPE       order "certificates"
    Beta   beta-uno.it (domain)                             IN SCOPE       order "beta"
           beta-due.it (domain)                             out of scope   order "beta"

The limited member holds VIEW_PRODUCTS, MANAGE_PRODUCTS and ORDER in Alfa, VIEW_PRODUCTS and MANAGE_PRODUCTS in
Beta. Everything expires on 2027-11-22, within 366 days of the test clock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text
from strawberry import relay

from gateway.db.models import Membership, Organization, Product
from resolvers.search import trigrams
from tests.orgs import Person, buy, join, mark_paid, organization, person, place_order

TRATTORIA_SSL = "Certificato SSL DV · trattoria.it"
OSTERIA_SSL = "Certificato SSL DV · osteria.it"
ALFA_PRODUCTS = {"pizzeria-napoli.it", "la-pizza.com", "trattoria.it", "osteria.it", TRATTORIA_SSL, OSTERIA_SSL}
ALFA_IN_SCOPE = {"trattoria.it", OSTERIA_SSL}
ALFA_TO_CONFIGURE = {"trattoria.it", "osteria.it", TRATTORIA_SSL, OSTERIA_SSL}
BETA_PRODUCTS = {"beta-uno.it", "beta-due.it"}
BETA_IN_SCOPE = {"beta-uno.it"}
OUT_OF_SCOPE = (ALFA_PRODUCTS - ALFA_IN_SCOPE) | (BETA_PRODUCTS - BETA_IN_SCOPE)

REGISTRANT = {
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

CONNECTION = "totalCount edges { node { name } }"
PRODUCTS = f"query($id: ID!) {{ organization(id: $id) {{ products(first: 50) {{ {CONNECTION} }} }} }}"
NODE = "query($id: ID!) { node(id: $id) { id ... on Product { name } } }"
NESTED = "query($id: ID!) { node(id: $id) { ... on Product { name addOns { name } parent { name } } } }"
NESTED_LIST = """query($id: ID!) { organization(id: $id) { products(first: 50) {
  edges { node { name addOns { name } parent { name } } } } } }"""
MY_SCOPE = "query($id: ID!) { organization(id: $id) { myMembership { productScope { allProducts productIds } } } }"
UPDATE_SCOPE = """mutation($input: UpdateMemberInput!) { updateMember(input: $input) {
  member { productScope { productIds } } userErrors { code } } }"""
ORDERS = """query($id: ID!) { organization(id: $id) { orders(first: 50) {
  edges { node { number lines { product { name } } } } } } }"""
CANCEL_ORDER = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } userErrors { code } } }"
RENEW = """mutation($id: ID!) { renewProduct(input: {productId: $id, periodMonths: 12}) {
  order { id number } userErrors { code } } }"""
CONFIGURE_HOSTING = """mutation($id: ID!, $domain: String!) {
  configureProduct(input: {productId: $id, settings: {domain: $domain, phpVersion: "8.3"}}) {
  product { status } userErrors { code } } }"""
BLOCK = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
VIEWER_EXPIRING = """query($first: Int!, $after: String) { viewer {
  expiringProducts(withinDays: 366, first: $first, after: $after) {
  edges { node { name organization { name } } } pageInfo { hasNextPage endCursor } } } }"""


def ghost(type_name: str = "Product") -> str:
    """A global id of an object that exists nowhere."""
    return str(relay.GlobalID(type_name, str(uuid.uuid4())))


def raw_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(relay.GlobalID.from_id(global_id).node_id)


def domain(name: str, sku: str = "domain-it") -> dict[str, Any]:
    return {"sku": sku, "periodMonths": 12, "domainName": name}


def hosting(name: str) -> dict[str, Any]:
    return {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": name}


def ssl_for(parent_id: str) -> dict[str, Any]:
    return {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": parent_id}


def outcome(body: dict[str, Any]) -> str:
    """An answer reduced to one word, as in tests/test_authorization_matrix.py."""
    if body.get("errors"):
        extensions = body["errors"][0].get("extensions") or {}
        named = [f"{k}={extensions[k]}" for k in ("missingRight", "missingRole") if k in extensions]
        return " ".join([str(extensions.get("code", "NO_CODE")), *named])
    data = body.get("data") or {}
    payload = next(iter(data.values()), None)
    if payload is None:
        return f"NO DATA {data!r}"
    codes = sorted(e["code"] for e in payload.get("userErrors", [])) if isinstance(payload, dict) else []
    return f"ALLOW userErrors={','.join(codes)}" if codes else "ALLOW"


def names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


async def data(who: Person, client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await who.gql(client, query, variables)
    assert "errors" not in body, body
    return body["data"]


@dataclass
class Scenario:
    client: httpx.AsyncClient
    engine: Any
    settings: Any
    clock: Any
    owner: Person
    limited: Person
    alfa: str = ""
    beta: str = ""
    limited_in_alfa: str = ""  # the limited member's membership of Alfa
    ids: dict[str, str] = field(default_factory=dict)  # product name -> global id
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> {id, number}

    def id(self, name: str) -> str:
        return self.ids[name]

    async def data(self, who: Person, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await data(who, self.client, query, variables)

    async def purchase(self, buyer: Person, label: str, org: str, *lines: dict[str, Any]) -> None:
        """Place and pay an order, remembering the order and the names of its products."""
        placed = await place_order(self.client, buyer, org, *lines)
        assert placed["userErrors"] == [], placed
        await mark_paid(self.engine, self.settings, self.clock, placed["order"])
        self.orders[label] = {"id": placed["order"]["id"], "number": placed["order"]["number"]}
        self.ids.update({line["product"]["name"]: line["product"]["id"] for line in placed["order"]["lines"]})

    async def join(self, org: str, rights: list[str], scope: set[str] | None = None) -> str:
        """The limited member joins `org` with these rights, seeing these products (all when None)."""
        # /dev/mailbox lists newest first and the test clock stands still: a second apart, the newest one wins.
        self.clock.advance(timedelta(seconds=1))
        chosen = None if scope is None else {"allProducts": False, "productIds": [self.id(n) for n in sorted(scope)]}
        return await join(self.client, self.owner, org, self.limited, rights=rights, scope=chosen)

    async def rescope(self, product_names: set[str]) -> None:
        """The owner sets which of Alfa's products the limited member sees."""
        scope = {"allProducts": False, "productIds": [self.id(n) for n in sorted(product_names)]}
        changed = await self.data(
            self.owner, UPDATE_SCOPE, {"input": {"memberId": self.limited_in_alfa, "productScope": scope}}
        )
        assert changed["updateMember"]["userErrors"] == [], changed


async def build(client: httpx.AsyncClient, engine: Any, settings: Any, clock: Any) -> Scenario:
    owner = await person(client, "owner@example.com", "Olga Owner")
    limited = await person(client, "limited@example.com", "Lina Limited")
    s = Scenario(client, engine, settings, clock, owner, limited)
    s.alfa = await organization(client, owner, "Alfa")
    s.beta = await organization(client, owner, "Beta")
    await s.purchase(owner, "domains", s.alfa, domain("pizzeria-napoli.it"), domain("la-pizza.com", "domain-com"))
    await s.purchase(owner, "trattoria", s.alfa, hosting("trattoria.it"))
    await s.purchase(owner, "osteria", s.alfa, hosting("osteria.it"))
    await s.purchase(owner, "certificates", s.alfa, ssl_for(s.id("trattoria.it")), ssl_for(s.id("osteria.it")))
    await s.purchase(owner, "beta", s.beta, domain("beta-uno.it"), domain("beta-due.it"))
    assert set(s.ids) == ALFA_PRODUCTS | BETA_PRODUCTS
    s.limited_in_alfa = await s.join(s.alfa, ["VIEW_PRODUCTS", "MANAGE_PRODUCTS", "ORDER"], ALFA_IN_SCOPE)
    await s.join(s.beta, ["VIEW_PRODUCTS", "MANAGE_PRODUCTS"], BETA_IN_SCOPE)
    return s


@pytest.fixture
async def scoped(client, engine, settings, clock) -> Scenario:
    return await build(client, engine, settings, clock)


# ---------------------------------------------------------------------------------------------------------------
# 1. What a limited member reads
# ---------------------------------------------------------------------------------------------------------------

# Each list of Alfa: (selection, what the owner sees, what the limited member sees).
LISTS: dict[str, tuple[str, set[str], set[str]]] = {
    "products": ("products(first: 50)", ALFA_PRODUCTS, ALFA_IN_SCOPE),
    "products, search 'osteria'": (
        'products(first: 50, filter: {search: "osteria"})',
        {"osteria.it", OSTERIA_SSL},
        {OSTERIA_SSL},
    ),
    "products, search 'trattoria'": (
        'products(first: 50, filter: {search: "trattoria"})',
        {"trattoria.it", TRATTORIA_SSL},
        {"trattoria.it"},
    ),
    "products, search 'it' (two characters)": (
        'products(first: 50, filter: {search: "it"})',
        ALFA_PRODUCTS - {"la-pizza.com"},
        ALFA_IN_SCOPE,
    ),
    "products, search 'pizz' (nothing in scope)": (
        'products(first: 50, filter: {search: "pizz"})',
        {"pizzeria-napoli.it", "la-pizza.com"},
        set(),
    ),
    "products, kind HOSTING": (
        "products(first: 50, filter: {kinds: [HOSTING]})",
        {"trattoria.it", "osteria.it"},
        {"trattoria.it"},
    ),
    "expiringProducts": ("expiringProducts(withinDays: 366, first: 50)", ALFA_PRODUCTS, ALFA_IN_SCOPE),
    "productsToConfigure": ("productsToConfigure(first: 50)", ALFA_TO_CONFIGURE, ALFA_IN_SCOPE),
}


async def test_lists_and_their_counts_hold_only_the_members_scope(scoped):
    s = scoped
    seen: dict[tuple[str, str], tuple[set[str], int]] = {}
    expected: dict[tuple[str, str], tuple[set[str], int]] = {}
    for label, (selection, for_owner, for_limited) in LISTS.items():
        query = f"query($id: ID!) {{ organization(id: $id) {{ list: {selection} {{ {CONNECTION} }} }} }}"
        for who, want in (("owner", for_owner), ("limited", for_limited)):
            got = (await s.data(getattr(s, who), query, {"id": s.alfa}))["organization"]["list"]
            listed = names(got)
            assert len(listed) == len(set(listed)), (label, who, listed)
            seen[(label, who)] = (set(listed), got["totalCount"])
            expected[(label, who)] = (want, len(want))
    assert seen == expected
    # Page by page too: the cursor walks the scope only.
    query = """query($id: ID!, $after: String) { organization(id: $id) { products(first: 1, after: $after) {
      totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } } }"""
    first = (await s.data(s.limited, query, {"id": s.alfa}))["organization"]["products"]
    second = await s.data(s.limited, query, {"id": s.alfa, "after": first["pageInfo"]["endCursor"]})
    second = second["organization"]["products"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (2, True)
    assert second["pageInfo"]["hasNextPage"] is False
    assert {*names(first), *names(second)} == ALFA_IN_SCOPE


async def test_out_of_scope_products_read_like_none_and_nested_fields_hold_the_scope(scoped):
    s = scoped
    nowhere = await s.limited.gql(s.client, NODE, {"id": ghost()})
    assert nowhere["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    answers = {name: await s.limited.gql(s.client, NODE, {"id": s.id(name)}) for name in sorted(OUT_OF_SCOPE)}
    assert {name: body for name, body in answers.items() if body != nowhere} == {}
    for name in sorted(ALFA_IN_SCOPE | BETA_IN_SCOPE):
        assert (await s.data(s.limited, NODE, {"id": s.id(name)}))["node"]["name"] == name
    # The owner sees them all: the ids are real.
    for name in sorted(OUT_OF_SCOPE):
        assert (await s.data(s.owner, NODE, {"id": s.id(name)}))["node"]["name"] == name

    # Nested: add-ons and parents, through node(id:) and through the list alike.
    async def nested(who: Person) -> dict[str, Any]:
        by_node = {}
        for name in ("trattoria.it", OSTERIA_SSL):
            node = (await s.data(who, NESTED, {"id": s.id(name)}))["node"]
            by_node[name] = ([a["name"] for a in node["addOns"]], node["parent"])
        listed = (await s.data(who, NESTED_LIST, {"id": s.alfa}))["organization"]["products"]
        by_list = {
            e["node"]["name"]: ([a["name"] for a in e["node"]["addOns"]], e["node"]["parent"])
            for e in listed["edges"]
            if e["node"]["name"] in by_node
        }
        assert by_list == by_node, "node(id:) and the list disagree"
        return by_node

    assert await nested(s.owner) == {
        "trattoria.it": ([TRATTORIA_SSL], None),
        OSTERIA_SSL: ([], {"name": "osteria.it"}),
    }
    # The add-on of trattoria.it and the parent of the osteria certificate are out of scope.
    assert await nested(s.limited) == {"trattoria.it": ([], None), OSTERIA_SSL: ([], None)}
    # Once in scope, both show: the limited member's nested reads are cut by the scope, not emptied.
    await s.rescope(ALFA_IN_SCOPE | {TRATTORIA_SSL, "osteria.it"})
    assert await nested(s.limited) == {
        "trattoria.it": ([TRATTORIA_SSL], None),
        OSTERIA_SSL: ([], {"name": "osteria.it"}),
    }


async def test_the_agency_view_shows_only_scoped_products_of_organizations_where_they_may_see_products(scoped):
    s = scoped
    gamma = await organization(s.client, s.owner, "Gamma")
    await s.purchase(s.owner, "gamma", gamma, domain("gamma-uno.it"))
    # In Gamma the limited member may order, and would see every product, but holds no VIEW_PRODUCTS.
    await s.join(gamma, ["ORDER"])
    # In Delta they would see every product, but they are blocked.
    delta = await organization(s.client, s.owner, "Delta")
    await s.purchase(s.owner, "delta", delta, domain("delta-uno.it"))
    blocked = await s.join(delta, ["VIEW_PRODUCTS"])
    blocking = await s.data(s.owner, BLOCK, {"id": blocked})
    assert blocking["blockMember"] == {"member": {"status": "BLOCKED"}, "userErrors": []}

    async def agency(who: Person, first: int = 50) -> set[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        after = None
        while True:
            page = (await s.data(who, VIEWER_EXPIRING, {"first": first, "after": after}))["viewer"]["expiringProducts"]
            seen += [(e["node"]["name"], e["node"]["organization"]["name"]) for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)), seen
        return set(seen)

    everything = (
        {(n, "Alfa") for n in ALFA_PRODUCTS}
        | {(n, "Beta") for n in BETA_PRODUCTS}
        | {("gamma-uno.it", "Gamma"), ("delta-uno.it", "Delta")}
    )
    assert await agency(s.owner) == everything
    in_scope = {(n, "Alfa") for n in ALFA_IN_SCOPE} | {(n, "Beta") for n in BETA_IN_SCOPE}
    assert await agency(s.limited) == in_scope
    assert await agency(s.limited, first=2) == in_scope  # page by page too


async def test_orders_a_limited_member_sees_and_the_products_on_their_lines(scoped):
    s = scoped

    async def orders(who: Person) -> dict[str, list[str | None]]:
        listed = (await s.data(who, ORDERS, {"id": s.alfa}))["organization"]["orders"]["edges"]
        return {
            e["node"]["number"]: [line["product"] and line["product"]["name"] for line in e["node"]["lines"]]
            for e in listed
        }

    def number(label: str) -> str:
        return s.orders[label]["number"]

    # Placed by the owner: only the order touching nothing but in-scope products shows.
    assert await orders(s.limited) == {number("trattoria"): ["trattoria.it"]}
    # Placed by the limited member: a renewal of an in-scope product, and new products (which join the scope).
    renewal = (await s.data(s.limited, RENEW, {"id": s.id("trattoria.it")}))["renewProduct"]
    assert renewal["userErrors"] == [], renewal
    s.orders["renewal by limited"] = renewal["order"]
    await s.purchase(s.limited, "bought by limited", s.alfa, domain("lina-web.it"), domain("lina-shop.it"))
    # Placed by the owner: a renewal of an out-of-scope product.
    other = (await s.data(s.owner, RENEW, {"id": s.id("pizzeria-napoli.it")}))["renewProduct"]
    assert other["userErrors"] == [], other
    s.orders["renewal by owner"] = other["order"]

    assert await orders(s.limited) == {
        number("trattoria"): ["trattoria.it"],
        number("renewal by limited"): ["trattoria.it"],
        number("bought by limited"): ["lina-web.it", "lina-shop.it"],
    }
    assert set(await orders(s.owner)) == {o["number"] for label, o in s.orders.items() if label != "beta"}

    # Orders they do not see are not found, by id or to cancel, exactly like orders that do not exist.
    for query, variables in (
        (NODE, {"id": s.orders["domains"]["id"]}),
        (CANCEL_ORDER, {"id": s.orders["renewal by owner"]["id"]}),
    ):
        hidden = await s.limited.gql(s.client, query, variables)
        nowhere = await s.limited.gql(s.client, query, {"id": ghost("Order")})
        assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert hidden == nowhere

    # Their own order stays theirs when the owner narrows the scope; its out-of-scope line shows no product.
    await s.rescope(ALFA_IN_SCOPE | {"lina-web.it"})
    assert (await orders(s.limited))[number("bought by limited")] == ["lina-web.it", None]


# ---------------------------------------------------------------------------------------------------------------
# 2. Product mutations: out of scope they do not exist; in scope they work
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductMutation:
    input_type: str
    inputs: Callable[[Scenario, str, str], dict[str, Any]]  # (scenario, product id, product name) -> input
    outside: str  # a product out of the limited member's scope, in a state where the mutation would work
    inside: str  # one in scope, likewise
    selection: str  # of the payload, besides userErrors
    done: dict[str, Any]  # the payload the limited member gets for the product in scope
    configure_first: tuple[str, ...] = ()  # hostings the owner configures (makes ACTIVE) beforehand


PRODUCT_MUTATIONS: dict[str, ProductMutation] = {
    "setAutoRenew": ProductMutation(
        "SetAutoRenewInput",
        lambda s, pid, name: {"productId": pid, "enabled": False},
        "pizzeria-napoli.it",
        "trattoria.it",
        "product { autoRenew }",
        {"product": {"autoRenew": False}},
    ),
    "requestCancellation": ProductMutation(
        "ProductIdInput",
        lambda s, pid, name: {"productId": pid},
        "la-pizza.com",
        "trattoria.it",
        "withinNotice product { name }",
        {"withinNotice": True, "product": {"name": "trattoria.it"}},
    ),
    "unblockIp": ProductMutation(
        "UnblockIpInput",
        lambda s, pid, name: {"productId": pid, "ip": "8.8.8.8"},
        "osteria.it",
        "trattoria.it",
        "product { name }",
        {"product": {"name": "trattoria.it"}},
        configure_first=("osteria.it", "trattoria.it"),
    ),
    "configureProduct": ProductMutation(
        "ConfigureProductInput",
        lambda s, pid, name: {"productId": pid, "settings": {"domain": name, "phpVersion": "8.3"}},
        "osteria.it",
        "trattoria.it",
        "product { status }",
        {"product": {"status": "ACTIVE"}},
    ),
    "renewProduct": ProductMutation(
        "RenewProductInput",
        lambda s, pid, name: {"productId": pid, "periodMonths": 12},
        "pizzeria-napoli.it",
        "trattoria.it",
        "order { status lines { action product { name } } }",
        {"order": {"status": "PENDING_PAYMENT", "lines": [{"action": "RENEWAL", "product": {"name": "trattoria.it"}}]}},
    ),
    "updateRegistrant": ProductMutation(
        "UpdateRegistrantInput",
        lambda s, pid, name: {"productId": pid, "registrant": REGISTRANT},
        "pizzeria-napoli.it",
        "beta-uno.it",
        "product { name domain { registrant { email } } }",
        {"product": {"name": "beta-uno.it", "domain": {"registrant": {"email": REGISTRANT["email"]}}}},
    ),
    # transferProduct needs the OWNER role, which no limited member here holds: tests/test_product_transfers.py.
}

# What the owner sees of a product and of both organizations: refused mutations must leave all of it as it was.
STATE = """query($id: ID!, $alfa: ID!, $beta: ID!) {
  node(id: $id) { ... on Product { name status autoRenew termMonths expiresAt settings cancellation { effectiveAt }
    domain { registrant { name email } } organization { name } } }
  alfa: organization(id: $alfa) { orders(first: 50) { edges { node { number } } } auditLog(first: 50) {
    edges { node { action } } } }
  beta: organization(id: $beta) { orders(first: 50) { edges { node { number } } } auditLog(first: 50) {
    edges { node { action } } } } }"""


@pytest.mark.parametrize("name", list(PRODUCT_MUTATIONS))
async def test_product_mutations_find_only_products_in_scope(scoped, name):
    s = scoped
    mutation = PRODUCT_MUTATIONS[name]
    document = (
        f"mutation($input: {mutation.input_type}!) {{ {name}(input: $input) {{ {mutation.selection} "
        "userErrors { code } } }"
    )
    for hosting_name in mutation.configure_first:
        configured = await s.data(s.owner, CONFIGURE_HOSTING, {"id": s.id(hosting_name), "domain": hosting_name})
        assert configured["configureProduct"]["userErrors"] == [], configured

    async def state() -> str:
        variables = {"id": s.id(mutation.outside), "alfa": s.alfa, "beta": s.beta}
        return json.dumps(await s.data(s.owner, STATE, variables), sort_keys=True)

    before = await state()
    outside = await s.limited.gql(
        s.client, document, {"input": mutation.inputs(s, s.id(mutation.outside), mutation.outside)}
    )
    nowhere = await s.limited.gql(s.client, document, {"input": mutation.inputs(s, ghost(), mutation.outside)})
    assert outcome(outside) == "NOT_FOUND", outside
    assert outside == nowhere
    assert await state() == before, "a refused mutation changed something"

    variables = {"input": mutation.inputs(s, s.id(mutation.inside), mutation.inside)}
    inside = await s.limited.gql(s.client, document, variables)
    assert outcome(inside) == "ALLOW", inside
    assert inside["data"][name] == {**mutation.done, "userErrors": []}
    where = (await s.data(s.owner, STATE, {"id": s.id(mutation.inside), "alfa": s.alfa, "beta": s.beta}))["node"]
    assert where["organization"]["name"] == ("Beta" if mutation.inside in BETA_PRODUCTS else "Alfa")


# ---------------------------------------------------------------------------------------------------------------
# 3. What a limited member buys joins their scope
# ---------------------------------------------------------------------------------------------------------------


async def test_what_a_limited_member_buys_joins_their_scope(scoped, engine, settings, clock):
    s = scoped
    bought = await buy(
        s.client, engine, settings, clock, s.limited, s.alfa, domain("lina-web.it"), ssl_for(s.id("trattoria.it"))
    )
    assert None not in bought, "the buyer sees what they just bought"
    assert [p["name"] for p in bought] == ["lina-web.it", TRATTORIA_SSL]  # named like the owner's certificate
    scope = (await s.data(s.limited, MY_SCOPE, {"id": s.alfa}))["organization"]["myMembership"]["productScope"]
    assert scope["allProducts"] is False
    assert set(scope["productIds"]) == {s.id(n) for n in ALFA_IN_SCOPE} | {p["id"] for p in bought}
    listed = (await s.data(s.limited, PRODUCTS, {"id": s.alfa}))["organization"]["products"]
    assert sorted(names(listed)) == sorted([*ALFA_IN_SCOPE, *(p["name"] for p in bought)])
    assert listed["totalCount"] == 4
    # The new certificate hangs under trattoria.it; the owner's certificate for it stays out of sight.
    add_ons = "query($id: ID!) { node(id: $id) { ... on Product { addOns { id } } } }"
    trattoria = (await s.data(s.limited, add_ons, {"id": s.id("trattoria.it")}))["node"]
    assert trattoria["addOns"] == [{"id": bought[1]["id"]}]
    assert bought[1]["id"] != s.id(TRATTORIA_SSL)
    # An add-on for a product out of scope cannot be bought: its parent is not found.
    refused = await place_order(s.client, s.limited, s.alfa, ssl_for(s.id("osteria.it")))
    assert [e["code"] for e in refused["userErrors"]] == ["PARENT_NOT_FOUND"]


# ---------------------------------------------------------------------------------------------------------------
# 4. Product rights, as a table
# ---------------------------------------------------------------------------------------------------------------

OK = "ALLOW"
VP = "FORBIDDEN missingRight=VIEW_PRODUCTS"
MP = "FORBIDDEN missingRight=MANAGE_PRODUCTS"
OR = "FORBIDDEN missingRight=ORDER"

RIGHT_OPERATIONS: dict[str, str] = {
    "products": "query($org: ID!) { organization(id: $org) { products(first: 5) { totalCount } } }",
    "expiringProducts": """query($org: ID!) { organization(id: $org) {
      expiringProducts(withinDays: 366) { totalCount } } }""",
    "productsToConfigure": "query($org: ID!) { organization(id: $org) { productsToConfigure { totalCount } } }",
    "node(Product)": "query($product: ID!) { node(id: $product) { id } }",
    "setAutoRenew": """mutation($product: ID!) { setAutoRenew(input: {productId: $product, enabled: false}) {
      product { id } userErrors { code } } }""",
    "renewProduct": """mutation($product: ID!) { renewProduct(input: {productId: $product, periodMonths: 12}) {
      order { id } userErrors { code } } }""",
    "orders": "query($org: ID!) { organization(id: $org) { orders(first: 5) { edges { node { number } } } } }",
}

# Members of Alfa: their rights, and whether they see all products (else only trattoria.it, the one product).
MEMBERS: dict[str, tuple[list[str], bool]] = {
    "viewer": (["VIEW_PRODUCTS"], False),
    "manager": (["VIEW_PRODUCTS", "MANAGE_PRODUCTS"], False),
    "buyer": (["ORDER"], False),
    "accountant": (["VIEW_BILLING", "PAY"], True),
    "nothing": ([], False),
}

# Each operation aimed at Alfa or at trattoria.it, by each member.
RIGHTS_TABLE: dict[str, tuple[str, ...]] = {
    # operation            viewer  manager  buyer  accountant  nothing
    "products":            (OK,    OK,      VP,    VP,         VP),
    "expiringProducts":    (OK,    OK,      VP,    VP,         VP),
    "productsToConfigure": (OK,    OK,      VP,    VP,         VP),
    "node(Product)":       (OK,    OK,      VP,    VP,         VP),
    "setAutoRenew":        (MP,    OK,      MP,    MP,         MP),
    "renewProduct":        (OR,    OR,      OK,    OR,         OR),
    "orders":              (OR,    OR,      OK,    OK,         OR),
}  # fmt: skip


async def test_product_rights_are_enforced(client, engine, settings, clock):
    owner = await person(client, "owner@example.com")
    alfa = await organization(client, owner, "Alfa")
    (product,) = await buy(client, engine, settings, clock, owner, alfa, hosting("trattoria.it"))
    members: dict[str, Person] = {}
    for member, (rights, all_products) in MEMBERS.items():
        members[member] = await person(client, f"{member}@example.com")
        scope = None if all_products else {"allProducts": False, "productIds": [product["id"]]}
        await join(client, owner, alfa, members[member], rights=rights, scope=scope)
    got: dict[str, tuple[str, ...]] = {}
    for operation, document in RIGHT_OPERATIONS.items():
        row = []
        for member in MEMBERS:
            body = await members[member].gql(client, document, {"org": alfa, "product": product["id"]})
            row.append(outcome(body))
            if operation == "orders" and row[-1] == OK:
                assert body["data"]["organization"]["orders"]["edges"], (member, "sees no order")
        got[operation] = tuple(row)
    assert got == RIGHTS_TABLE


SET_AUTO_RENEW = "mutation($id: ID!) { setAutoRenew(input: {productId: $id, enabled: false}) { userErrors { code } } }"

# A member lacking the right, asking about a product outside their scope: the answer must not tell that it exists.
LACKING_MEMBERS: dict[str, list[str]] = {"orderer": ["ORDER"], "viewer": ["VIEW_PRODUCTS"]}
LACKING: dict[str, tuple[str, str]] = {
    "node(id:) by a member without VIEW_PRODUCTS": ("orderer", NODE),
    "setAutoRenew by a member without MANAGE_PRODUCTS": ("viewer", SET_AUTO_RENEW),
    "renewProduct by a member without ORDER": ("viewer", RENEW),
}


async def test_an_out_of_scope_product_is_not_found_even_by_members_lacking_the_right(client, engine, settings, clock):
    owner = await person(client, "owner@example.com")
    alfa = await organization(client, owner, "Alfa")
    inside, outside = await buy(
        client, engine, settings, clock, owner, alfa, hosting("trattoria.it"), hosting("osteria.it")
    )
    members: dict[str, Person] = {}
    for member, rights in LACKING_MEMBERS.items():
        members[member] = await person(client, f"{member}@example.com")
        scope = {"allProducts": False, "productIds": [inside["id"]]}
        await join(client, owner, alfa, members[member], rights=rights, scope=scope)
    answers: dict[str, tuple[str, bool]] = {}
    for label, (member, document) in LACKING.items():
        about_it = await members[member].gql(client, document, {"id": outside["id"]})
        nowhere = await members[member].gql(client, document, {"id": ghost()})
        answers[label] = (outcome(about_it), about_it == nowhere)
    assert answers == dict.fromkeys(LACKING, ("NOT_FOUND", True))


# ---------------------------------------------------------------------------------------------------------------
# 5. Statement counts: lists are cut in the database, in a fixed number of statements
# ---------------------------------------------------------------------------------------------------------------

PRODUCTS_PAGE = """query($id: ID!) { organization(id: $id) { products(first: 50) {
  edges { node { name status expiresAt addOns { name } } } totalCount } } }"""
AGENCY_PAGE = """{ viewer { expiringProducts(withinDays: 30, first: 50) {
  edges { node { name organization { name } } } } } }"""


def product_row(organization_id: uuid.UUID, name: str, now: Any, expires: Any, parent: uuid.UUID | None = None) -> dict:
    return {
        "id": uuid.uuid4(),
        "organization_id": organization_id,
        "kind": "SSL" if parent else "HOSTING",
        "name": name,
        "name_trigrams": trigrams(name),
        "status": "ACTIVE",
        "catalog_sku": "ssl-dv" if parent else "hosting-linux-start",
        "parent_id": parent,
        "term_months": 12,
        "created_at": now,
        "updated_at": now,
        "expires_at": expires,
    }


async def seed_products(
    engine: Any, clock: Any, organization_id: uuid.UUID, membership_id: uuid.UUID, start: int, count: int
) -> None:
    """`count` products in the member's scope (every other one an add-on of the one before), and as many again
    out of it (an add-on of each in-scope parent, and sites of their own)."""
    now = clock.now()
    expires = now + timedelta(days=365)
    in_scope: list[dict] = []
    out_of_scope: list[dict] = []
    for i in range(start, start + count):
        if (i - start) % 2 == 0:
            parent = product_row(organization_id, f"site-{i:03d}.it", now, expires)
            in_scope.append(parent)
            out_of_scope.append(product_row(organization_id, f"Backup · site-{i:03d}.it", now, expires, parent["id"]))
        else:
            in_scope.append(
                product_row(organization_id, f"SSL · site-{i - 1:03d}.it", now, expires, in_scope[-1]["id"])
            )
            out_of_scope.append(product_row(organization_id, f"hidden-{i:03d}.it", now, expires))
    async with engine.begin() as conn:
        await conn.execute(insert(Product), in_scope + out_of_scope)
        await conn.execute(
            text("UPDATE memberships SET product_ids = product_ids || CAST(:ids AS uuid[]) WHERE id = :id"),
            {"ids": [p["id"] for p in in_scope], "id": membership_id},
        )


async def test_a_page_of_products_costs_the_same_statements_for_5_and_50(client, engine, clock, sql):
    owner = await person(client, "owner@example.com")
    limited = await person(client, "limited@example.com")
    alfa = await organization(client, owner, "Alfa")
    member = await join(
        client, owner, alfa, limited, rights=["VIEW_PRODUCTS"], scope={"allProducts": False, "productIds": []}
    )
    org_id, member_id = raw_id(alfa), raw_id(member)

    async def statements() -> tuple[int, int, int]:
        sql.statements.clear()
        products = (await data(limited, client, PRODUCTS_PAGE, {"id": alfa}))["organization"]["products"]
        return sql.count, len(products["edges"]), products["totalCount"]

    await seed_products(engine, clock, org_id, member_id, 0, 5)
    await statements()  # warm up: the session's first use may touch it
    small, small_edges, small_total = await statements()
    await seed_products(engine, clock, org_id, member_id, 5, 45)
    large, large_edges, large_total = await statements()
    assert (small_edges, small_total, large_edges, large_total) == (5, 5, 50, 50)
    assert small == large, f"{small} statements for 5 products, {large} for 50: {sql.statements}"
    assert large <= 8, sql.statements  # session, grant, organization, page, add-ons, count


async def seed_organizations(engine: Any, clock: Any, email: str, start: int, count: int) -> None:
    """`count` organizations where the user is a member seeing one of two products, both expiring in ten days."""
    now = clock.now()
    soon = now + timedelta(days=10)
    organizations, memberships, products = [], [], []
    async with engine.begin() as conn:
        user_id = await conn.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})
        for n in range(start, start + count):
            org, name = uuid.uuid4(), f"Client {n:03d}"
            organizations.append(
                dict(id=org, name=name, kind="COMPANY", legal_name=name, country="IT", created_at=now, updated_at=now)
            )
            seen = product_row(org, f"client-{n:03d}.it", now, soon)
            products += [seen, product_row(org, f"hidden-{n:03d}.it", now, soon)]
            memberships.append(
                dict(
                    id=uuid.uuid4(),
                    organization_id=org,
                    user_id=user_id,
                    role="MEMBER",
                    rights=["VIEW_PRODUCTS"],
                    all_products=False,
                    product_ids=[seen["id"]],
                    created_at=now,
                    updated_at=now,
                )
            )
        await conn.execute(insert(Organization), organizations)
        await conn.execute(insert(Membership), memberships)
        await conn.execute(insert(Product), products)


async def test_the_agency_view_costs_the_same_statements_for_5_and_50_organizations(client, engine, clock, sql):
    agency = await person(client, "agency@example.com")

    async def statements() -> tuple[int, set[str]]:
        sql.statements.clear()
        page = (await data(agency, client, AGENCY_PAGE, {}))["viewer"]["expiringProducts"]
        return sql.count, {e["node"]["organization"]["name"] for e in page["edges"]}

    await seed_organizations(engine, clock, "agency@example.com", 0, 5)
    await statements()  # warm up: the session's first use may touch it
    small, small_seen = await statements()
    await seed_organizations(engine, clock, "agency@example.com", 5, 45)
    large, large_seen = await statements()
    assert (len(small_seen), len(large_seen)) == (5, 50)
    assert small == large, f"{small} statements for 5 organizations, {large} for 50: {sql.statements}"
    assert large <= 8, sql.statements  # session, page, grants, organizations


# ---------------------------------------------------------------------------------------------------------------
# 6. Search
# ---------------------------------------------------------------------------------------------------------------

SEARCH = """query($id: ID!, $term: String!) { organization(id: $id) {
  products(first: 50, filter: {search: $term}) { totalCount edges { node { name } } } } }"""


SEARCHES: dict[str, list[tuple[str, set[str]]]] = {
    "part of a name": [
        ("pizz", {"pizzeria-napoli.it", "la-pizza.com"}),
        ("PIZZ", {"pizzeria-napoli.it", "la-pizza.com"}),
        ("pasta", {"pasta.it"}),
        ("a-pizza.c", {"la-pizza.com"}),
    ],
    "one or two characters": [
        ("za", {"la-pizza.com"}),
        ("z", {"pizzeria-napoli.it", "la-pizza.com"}),
        (".", {"pizzeria-napoli.it", "la-pizza.com", "pasta.it"}),
    ],
    # As LIKE patterns these would match names (the lone backslash: be a broken pattern); taken literally, none does.
    "wildcards taken literally": [
        ("%", set()),
        ("_", set()),
        ("pi%a", set()),
        ("p_zz", set()),
        ("pizz%", set()),
        ("\\", set()),
    ],
}


@pytest.mark.parametrize("kind", list(SEARCHES))
async def test_search_finds_parts_of_names_literally(client, engine, settings, clock, kind):
    owner = await person(client, "owner@example.com")
    alfa = await organization(client, owner, "Alfa")
    await buy(
        client, engine, settings, clock, owner, alfa,
        domain("pizzeria-napoli.it"), domain("la-pizza.com", "domain-com"), domain("pasta.it"),
    )  # fmt: skip
    found: dict[str, tuple[set[str], int]] = {}
    for term, _ in SEARCHES[kind]:
        products = (await data(owner, client, SEARCH, {"id": alfa, "term": term}))["organization"]["products"]
        found[term] = (set(names(products)), products["totalCount"])
    assert found == {term: (expected, len(expected)) for term, expected in SEARCHES[kind]}
