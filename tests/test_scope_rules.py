"""Product scopes name products of their own organization only, and show them only to who may see products."""

from __future__ import annotations

import pytest

from tests.orgs import INVITE, buy, join, organization, person

UPDATE = """mutation($input: UpdateMemberInput!) { updateMember(input: $input) {
  member { productScope { allProducts productIds } } userErrors { field code } } }"""
MEMBERS = """query($org: ID!) { organization(id: $org) { members { edges { node {
  email productScope { allProducts productIds } } } } } }"""
INVITATIONS = """query($org: ID!) { organization(id: $org) { invitations { edges { node { email } } } } }"""
ALFA_DOMAINS = ("alfa-one.com", "alfa-two.com")


def domain(name: str) -> dict:
    return {"sku": "domain-com", "periodMonths": 12, "domainName": name}


@pytest.fixture
async def two_shops(client, engine, settings, clock):
    anna = await person(client, "anna@alfa.example")
    alfa = await organization(client, anna, "Alfa Srl")
    bruno = await person(client, "bruno@beta.example")
    beta = await organization(client, bruno, "Beta Srl")
    one, two = await buy(client, engine, settings, clock, anna, alfa, *(domain(n) for n in ALFA_DOMAINS))
    (theirs,) = await buy(client, engine, settings, clock, bruno, beta, domain("beta-one.com"))
    return anna, alfa, one["id"], two["id"], bruno, beta, theirs["id"]


async def test_an_invitation_scope_names_only_products_of_the_organization(client, two_shops):
    anna, alfa, one, _, _, _, theirs = two_shops
    unknown = "UHJvZHVjdDowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA="  # Product:<unused uuid>
    for foreign in (theirs, unknown):
        body = await anna.gql(
            client,
            INVITE,
            {
                "input": {
                    "organizationId": alfa,
                    "email": "new@alfa.example",
                    "role": "MEMBER",
                    "rights": ["VIEW_PRODUCTS"],
                    "productScope": {"allProducts": False, "productIds": [one, foreign]},
                }
            },
        )
        assert body["data"]["inviteMember"]["userErrors"] == [
            {
                "field": ["input", "productScope", "productIds", "1"],
                "code": "PRODUCT_NOT_IN_ORGANIZATION",
                "message": "Un ambito può indicare solo prodotti di questa organizzazione.",
            }
        ]
    listed = await anna.gql(client, INVITATIONS, {"org": alfa})
    assert listed["data"]["organization"]["invitations"]["edges"] == []


async def test_a_member_update_names_only_products_of_the_organization(client, two_shops):
    anna, alfa, one, _, _, _, theirs = two_shops
    lina = await person(client, "lina@alfa.example")
    member_id = await join(
        client, anna, alfa, lina, rights=["VIEW_PRODUCTS"], scope={"allProducts": False, "productIds": [one]}
    )
    body = await anna.gql(
        client,
        UPDATE,
        {"input": {"memberId": member_id, "productScope": {"allProducts": False, "productIds": [theirs]}}},
    )
    assert body["data"]["updateMember"] == {
        "member": None,
        "userErrors": [{"field": ["input", "productScope", "productIds", "0"], "code": "PRODUCT_NOT_IN_ORGANIZATION"}],
    }
    kept = await anna.gql(
        client, UPDATE, {"input": {"memberId": member_id, "productScope": {"allProducts": False, "productIds": [one]}}}
    )
    assert kept["data"]["updateMember"]["member"]["productScope"] == {"allProducts": False, "productIds": [one]}


async def test_another_members_scope_shows_only_to_product_viewers_and_only_within_their_scope(client, two_shops):
    anna, alfa, one, two, _, _, _ = two_shops
    both = {"allProducts": False, "productIds": sorted([one, two])}
    wide = await person(client, "wide@alfa.example")
    await join(client, anna, alfa, wide, rights=["VIEW_PRODUCTS"], scope=both)
    narrow = await person(client, "narrow@alfa.example")
    await join(client, anna, alfa, narrow, rights=["VIEW_PRODUCTS"], scope={"allProducts": False, "productIds": [one]})
    manager = await person(client, "manager@alfa.example")
    await join(client, anna, alfa, manager, rights=["MANAGE_MEMBERS"])

    async def scope_of(caller, email: str) -> dict:
        body = await caller.gql(client, MEMBERS, {"org": alfa})
        edges = body["data"]["organization"]["members"]["edges"]
        scope = next(e["node"]["productScope"] for e in edges if e["node"]["email"] == email)
        return scope | {"productIds": sorted(scope["productIds"])} if scope["productIds"] else scope

    assert await scope_of(anna, wide.email) == both
    assert await scope_of(wide, wide.email) == both  # one's own scope, always
    assert await scope_of(narrow, wide.email) == {"allProducts": False, "productIds": [one]}
    assert await scope_of(manager, wide.email) == {"allProducts": False, "productIds": None}
    assert await scope_of(manager, manager.email) == {"allProducts": True, "productIds": []}
    assert await scope_of(manager, anna.email) == {"allProducts": True, "productIds": None}
