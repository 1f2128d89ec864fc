"""Moving a product to another organization: an owner offers, the receiving owner or admin accepts, through HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.graphql import mailbox
from tests.orgs import Person, buy, join, organization, person

TRANSFER = """mutation($id: ID!, $to: ID!) { transferProduct(input: {productId: $id, toOrganizationId: $to}) {
  transfer { id status direction productName addOnCount fromOrganizationName toOrganizationName }
  product { organization { name } } userErrors { field code } } }"""
ACCEPT = """mutation($id: ID!) { acceptProductTransfer(input: {transferId: $id}) {
  transfer { status direction } product { name organization { name } } userErrors { code } } }"""
DECLINE = """mutation($id: ID!) { declineProductTransfer(input: {transferId: $id}) {
  transfer { status } userErrors { code } } }"""
CANCEL = """mutation($id: ID!) { cancelProductTransfer(input: {transferId: $id}) {
  transfer { status } userErrors { code } } }"""
TRANSFERS = """query($org: ID!) { organization(id: $org) { productTransfers {
  id direction status productName toOrganizationName fromOrganizationName } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Product { name organization { name } } } }"
AUDIT = """query($org: ID!) { organization(id: $org) { auditLog(first: 50) { edges { node { action details } } } } }"""
SCOPE = """query($org: ID!) { organization(id: $org) { myMembership { productScope { allProducts productIds } } } }"""
INVITATIONS = """query($org: ID!) { organization(id: $org) { invitations { edges { node {
  email productScope { productIds } } } } } }"""
INVITE = """mutation($input: InviteMemberInput!) { inviteMember(input: $input) { userErrors { code } } }"""
RENEW = """mutation($id: ID!) { renewProduct(input: {productId: $id, periodMonths: 12}) {
  order { id number } userErrors { code } } }"""
CANCEL_ORDER = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { userErrors { code } } }"


@pytest.fixture
async def shop(client, engine, settings, clock):
    """Alfa (owner Anna) owns a domain and a hosting with an SSL add-on; Beta (owner Bruno) will receive them."""
    anna = await person(client, "anna@alfa.example")
    alfa = await organization(client, anna, "Alfa Srl")
    bruno = await person(client, "bruno@beta.example")
    beta = await organization(client, bruno, "Beta Srl")
    domain, hosting = await buy(
        client,
        engine,
        settings,
        clock,
        anna,
        alfa,
        {"sku": "domain-com", "periodMonths": 12, "domainName": "alfa-shop.com"},
        {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": "alfa-shop.com"},
    )
    ssl_line = {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": hosting["id"]}
    (ssl,) = await buy(client, engine, settings, clock, anna, alfa, ssl_line)
    return anna, alfa, bruno, beta, domain, hosting, ssl


async def _offer(client, giver: Person, product_id: str, to: str) -> dict:
    body = await giver.gql(client, TRANSFER, {"id": product_id, "to": to})
    assert "errors" not in body, body
    return body["data"]["transferProduct"]


async def _actions(client, owner: Person, org: str) -> list[tuple[str, dict]]:
    body = await owner.gql(client, AUDIT, {"org": org})
    return [(e["node"]["action"], e["node"]["details"]) for e in body["data"]["organization"]["auditLog"]["edges"]]


async def test_a_member_cannot_walk_off_with_a_product_into_an_organization_of_their_own(client, shop):
    anna, alfa, _, _, domain, _, _ = shop
    techie = await person(client, "techie@alfa.example")
    await join(client, anna, alfa, techie, rights=["VIEW_PRODUCTS", "MANAGE_PRODUCTS"])
    own = await organization(client, techie, "Techie Ltd")
    body = await techie.gql(client, TRANSFER, {"id": domain["id"], "to": own})
    assert not (body["data"] or {}).get("transferProduct")
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRole": "OWNER"}
    after = await anna.gql(client, NODE, {"id": domain["id"]})
    assert after["data"]["node"]["organization"]["name"] == "Alfa Srl"
    admin = await person(client, "admin@alfa.example")
    await join(client, anna, alfa, admin, role="ADMIN")
    by_admin = await admin.gql(client, TRANSFER, {"id": domain["id"], "to": own})
    assert by_admin["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRole": "OWNER"}


async def test_an_offer_moves_the_product_only_when_the_receiver_accepts(client, shop):
    anna, alfa, bruno, beta, _, hosting, ssl = shop
    offered = await _offer(client, anna, hosting["id"], beta)
    assert offered["userErrors"] == []
    assert offered["transfer"] == {
        "id": offered["transfer"]["id"],
        "status": "PENDING",
        "direction": "OUTGOING",
        "productName": hosting["name"],
        "addOnCount": 1,
        "fromOrganizationName": "Alfa Srl",
        "toOrganizationName": "Beta Srl",
    }
    assert offered["product"]["organization"]["name"] == "Alfa Srl"  # nothing moved yet
    transfer_id = offered["transfer"]["id"]
    incoming = (await bruno.gql(client, TRANSFERS, {"org": beta}))["data"]["organization"]["productTransfers"]
    assert [(t["id"], t["direction"], t["fromOrganizationName"]) for t in incoming] == [
        (transfer_id, "INCOMING", "Alfa Srl")
    ]
    outgoing = (await anna.gql(client, TRANSFERS, {"org": alfa}))["data"]["organization"]["productTransfers"]
    assert [(t["id"], t["direction"]) for t in outgoing] == [(transfer_id, "OUTGOING")]
    # Before acceptance, Beta cannot see the product at all.
    assert (await bruno.gql(client, NODE, {"id": hosting["id"]}))["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    accepted = (await bruno.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]
    assert accepted == {
        "transfer": {"status": "ACCEPTED", "direction": "INCOMING"},
        "product": {"name": hosting["name"], "organization": {"name": "Beta Srl"}},
        "userErrors": [],
    }
    for product in (hosting, ssl):  # the add-on follows its product
        moved = await bruno.gql(client, NODE, {"id": product["id"]})
        assert moved["data"]["node"]["organization"]["name"] == "Beta Srl"
        gone = await anna.gql(client, NODE, {"id": product["id"]})
        assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Replayed, the acceptance finds nothing left to accept.
    again = (await bruno.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]
    assert again["userErrors"] == [{"code": "NOT_PENDING"}]
    assert (await bruno.gql(client, TRANSFERS, {"org": beta}))["data"]["organization"]["productTransfers"] == []

    for owner, org, side in ((anna, alfa, "toOrganization"), (bruno, beta, "fromOrganization")):
        actions = await _actions(client, owner, org)
        names = [a for a, _ in actions]
        for step in ("product.transfer_requested", "product.transfer_accepted"):
            assert names.count(step) == 1, (org, names)
            details = next(d for a, d in actions if a == step)
            assert details["transferId"], details
            assert side in details
        move = "product.transfer_out" if org == alfa else "product.transfer_in"
        assert names.count(move) == 1, names
        assert len(next(d for a, d in actions if a == move)["productIds"]) == 2


async def test_nobody_but_the_receiving_owner_or_admin_answers_and_only_the_giving_owner_withdraws(client, shop):
    anna, alfa, bruno, beta, domain, _, _ = shop
    carla = await person(client, "carla@gamma.example")
    await organization(client, carla, "Gamma Srl")
    beta_member = await person(client, "member@beta.example")
    await join(client, bruno, beta, beta_member, rights=["VIEW_PRODUCTS", "MANAGE_PRODUCTS"])
    beta_admin = await person(client, "admin@beta.example")
    await join(client, bruno, beta, beta_admin, role="ADMIN")
    alfa_admin = await person(client, "admin@alfa.example")
    await join(client, anna, alfa, alfa_admin, role="ADMIN")
    transfer_id = (await _offer(client, anna, domain["id"], beta))["transfer"]["id"]

    def code(body: dict) -> dict:
        return body["errors"][0]["extensions"]

    for outsider in (carla, anna, alfa_admin):  # a third organization, and the giving side itself
        for mutation in (ACCEPT, DECLINE):
            assert code(await outsider.gql(client, mutation, {"id": transfer_id})) == {"code": "NOT_FOUND"}
    for mutation in (ACCEPT, DECLINE):
        refused = code(await beta_member.gql(client, mutation, {"id": transfer_id}))
        assert refused == {"code": "FORBIDDEN", "missingRole": "ADMIN"}
    for not_giver in (carla, bruno, beta_admin):
        assert code(await not_giver.gql(client, CANCEL, {"id": transfer_id})) == {"code": "NOT_FOUND"}
    assert code(await alfa_admin.gql(client, CANCEL, {"id": transfer_id})) == {
        "code": "FORBIDDEN",
        "missingRole": "OWNER",
    }
    accepted = (await beta_admin.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]
    assert accepted["userErrors"] == [] and accepted["product"]["organization"]["name"] == "Beta Srl"


async def test_a_withdrawn_declined_or_expired_offer_cannot_be_accepted(client, shop, clock):
    anna, _, bruno, beta, domain, hosting, _ = shop
    first = (await _offer(client, anna, domain["id"], beta))["transfer"]["id"]
    assert (await anna.gql(client, CANCEL, {"id": first}))["data"]["cancelProductTransfer"] == {
        "transfer": {"status": "CANCELLED"},
        "userErrors": [],
    }
    late = (await bruno.gql(client, ACCEPT, {"id": first}))["data"]["acceptProductTransfer"]
    assert late["userErrors"] == [{"code": "NOT_PENDING"}]
    assert (await anna.gql(client, CANCEL, {"id": first}))["data"]["cancelProductTransfer"]["userErrors"] == [
        {"code": "NOT_PENDING"}
    ]

    second = (await _offer(client, anna, domain["id"], beta))["transfer"]["id"]
    assert (await bruno.gql(client, DECLINE, {"id": second}))["data"]["declineProductTransfer"]["transfer"] == {
        "status": "DECLINED"
    }
    assert (await bruno.gql(client, ACCEPT, {"id": second}))["data"]["acceptProductTransfer"]["userErrors"] == [
        {"code": "NOT_PENDING"}
    ]

    third = (await _offer(client, anna, domain["id"], beta))["transfer"]["id"]
    clock.advance(timedelta(days=14, seconds=1))
    await anna.log_in_again(client)
    await bruno.log_in_again(client)
    expired = (await bruno.gql(client, ACCEPT, {"id": third}))["data"]["acceptProductTransfer"]
    assert expired["userErrors"] == [{"code": "EXPIRED"}]
    # An expired offer no longer holds the product: the owner may offer it again.
    assert (await _offer(client, anna, domain["id"], beta))["userErrors"] == []
    after = await anna.gql(client, NODE, {"id": domain["id"]})
    assert after["data"]["node"]["organization"]["name"] == "Alfa Srl"
    assert (await _offer(client, anna, hosting["id"], beta))["userErrors"] == []


async def test_one_open_offer_per_product_even_when_asked_twice_at_once(client, shop):
    anna, _, _, beta, domain, _, _ = shop
    carla = await person(client, "carla@gamma.example")
    gamma = await organization(client, carla, "Gamma Srl")
    answers = await asyncio.gather(
        *(anna.gql(client, TRANSFER, {"id": domain["id"], "to": to}) for to in (beta, gamma, beta, gamma))
    )
    codes = sorted(str(a["data"]["transferProduct"]["userErrors"]) for a in answers)
    assert codes.count("[]") == 1, codes
    assert all(c == "[]" or "ALREADY_REQUESTED" in c for c in codes), codes


async def test_offers_refuse_add_ons_closed_products_and_unknown_receivers(client, shop):
    anna, alfa, _, _, _, hosting, ssl = shop
    nowhere = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA=="  # Organization:<unused uuid>
    assert (await _offer(client, anna, hosting["id"], nowhere))["userErrors"] == [
        {"field": ["input", "toOrganizationId"], "code": "DESTINATION_NOT_FOUND"}
    ]
    assert (await _offer(client, anna, hosting["id"], alfa))["userErrors"][0]["code"] == "SAME_ORGANIZATION"
    assert (await _offer(client, anna, ssl["id"], alfa))["userErrors"][0]["code"] in (
        "SAME_ORGANIZATION",
        "ADDON_MOVES_WITH_PARENT",
    )


async def test_an_unpaid_order_keeps_the_product_where_it_is(client, shop):
    anna, alfa, bruno, beta, domain, _, _ = shop
    renewal = (await anna.gql(client, RENEW, {"id": domain["id"]}))["data"]["renewProduct"]
    assert renewal["userErrors"] == []
    assert (await _offer(client, anna, domain["id"], beta))["userErrors"] == [
        {"field": ["input", "productId"], "code": "PENDING_ORDER"}
    ]
    assert (await anna.gql(client, CANCEL_ORDER, {"id": renewal["order"]["id"]}))["data"]["cancelOrder"][
        "userErrors"
    ] == []
    transfer_id = (await _offer(client, anna, domain["id"], beta))["transfer"]["id"]
    # A renewal placed while the offer waits: acceptance would leave Alfa's order naming Beta's product.
    again = (await anna.gql(client, RENEW, {"id": domain["id"]}))["data"]["renewProduct"]
    assert again["userErrors"] == []
    blocked = (await bruno.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]
    assert blocked["userErrors"] == [{"code": "PENDING_ORDER"}]
    await anna.gql(client, CANCEL_ORDER, {"id": again["order"]["id"]})
    done = (await bruno.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]
    assert done["userErrors"] == []
    # From now on Beta renews it, and Alfa no longer can.
    assert (await bruno.gql(client, RENEW, {"id": domain["id"]}))["data"]["renewProduct"]["userErrors"] == []
    assert (await anna.gql(client, RENEW, {"id": domain["id"]}))["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert alfa


async def test_an_offer_lapses_when_its_owner_is_no_longer_owner(client, shop):
    anna, alfa, bruno, beta, domain, _, _ = shop
    other = await person(client, "second-owner@alfa.example")
    await join(client, anna, alfa, other, role="OWNER")
    transfer_id = (await _offer(client, other, domain["id"], beta))["transfer"]["id"]
    members = await anna.gql(
        client,
        "query($org: ID!) { organization(id: $org) { members { edges { node { id email } } } } }",
        {"org": alfa},
    )
    member_id = next(
        e["node"]["id"]
        for e in members["data"]["organization"]["members"]["edges"]
        if e["node"]["email"] == other.email
    )
    demoted = await anna.gql(
        client,
        "mutation($id: ID!) { updateMember(input: {memberId: $id, role: MEMBER}) { userErrors { code } } }",
        {"id": member_id},
    )
    assert demoted["data"]["updateMember"]["userErrors"] == []
    lapsed = (await bruno.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]
    assert lapsed["userErrors"] == [{"code": "REQUEST_LAPSED"}]
    assert (await anna.gql(client, NODE, {"id": domain["id"]}))["data"]["node"]["organization"]["name"] == "Alfa Srl"


async def test_a_moved_product_leaves_every_scope_of_the_giver(client, shop):
    anna, alfa, bruno, beta, domain, hosting, ssl = shop
    scoped = await person(client, "scoped@alfa.example")
    scope = {"allProducts": False, "productIds": [domain["id"], hosting["id"], ssl["id"]]}
    await join(client, anna, alfa, scoped, rights=["VIEW_PRODUCTS"], scope=scope)
    invited = await anna.gql(
        client,
        INVITE,
        {
            "input": {
                "organizationId": alfa,
                "email": "later@alfa.example",
                "role": "MEMBER",
                "rights": ["VIEW_PRODUCTS"],
                "productScope": scope,
            }
        },
    )
    assert invited["data"]["inviteMember"]["userErrors"] == []
    transfer_id = (await _offer(client, anna, hosting["id"], beta))["transfer"]["id"]
    assert (await bruno.gql(client, ACCEPT, {"id": transfer_id}))["data"]["acceptProductTransfer"]["userErrors"] == []
    mine = (await scoped.gql(client, SCOPE, {"org": alfa}))["data"]["organization"]["myMembership"]["productScope"]
    assert mine == {"allProducts": False, "productIds": [domain["id"]]}
    invitations = (await anna.gql(client, INVITATIONS, {"org": alfa}))["data"]["organization"]["invitations"]
    pending = next(e["node"] for e in invitations["edges"] if e["node"]["email"] == "later@alfa.example")
    assert pending["productScope"]["productIds"] == [domain["id"]]


async def test_each_side_refetches_an_offer_by_node_id_and_nobody_else_does(client, shop):
    anna, _, bruno, beta, _, hosting, _ = shop
    transfer_id = (await _offer(client, anna, hosting["id"], beta))["transfer"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on ProductTransfer { id direction status } } }"
    as_giver = await anna.gql(client, query, {"id": transfer_id})
    assert as_giver["data"]["node"] == {"id": transfer_id, "direction": "OUTGOING", "status": "PENDING"}
    as_receiver = await bruno.gql(client, query, {"id": transfer_id})
    assert as_receiver["data"]["node"] == {"id": transfer_id, "direction": "INCOMING", "status": "PENDING"}
    stranger = await person(client, "stranger@gamma.example")
    await organization(client, stranger, "Gamma Srl")
    refused = await stranger.gql(client, query, {"id": transfer_id})
    assert refused["data"] == {"node": None}
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_receiving_owners_and_admins_are_told_of_an_offer_and_nobody_else(client, shop):
    anna, _, bruno, beta, _, hosting, _ = shop
    admin = await person(client, "admin@beta.example")
    await join(client, bruno, beta, admin, role="ADMIN")
    member = await person(client, "member@beta.example")
    await join(client, bruno, beta, member, rights=["VIEW_PRODUCTS", "MANAGE_PRODUCTS"])
    transfer_id = (await _offer(client, anna, hosting["id"], beta))["transfer"]["id"]
    for receiver in (bruno, admin):
        [offer] = await mailbox(client, receiver.email, "product_transfer_offered")
        assert offer["subject"] == f"Alfa Srl vuole cedere {hosting['name']} a Beta Srl"
        assert f"/product-transfers?id={transfer_id}" in offer["body"]
        assert "servizi aggiuntivi inclusi: 1" in offer["body"]
    assert await mailbox(client, member.email, "product_transfer_offered") == []
    assert await mailbox(client, anna.email, "product_transfer_offered") == []
