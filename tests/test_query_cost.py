"""What an operation costs (Shopify's model), on every answer as `extensions.cost`, and the per-operation maximum.

An object field costs 1, a scalar or enum 0, a connection 2 + its page size with what each item selects
paid per item, a mutation 10 + its payload; the actual cost counts what came back.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from gateway.settings import Budget, Budgets
from tests.orgs import organization, person

GRAPHQL_RESPONSE = "application/graphql-response+json"
NESTED = """{ viewer { organizations(first: 5) { edges { node { name
  members(first: 3) { edges { node { fullName } } } } } } } }"""
# viewer 1 + organizations (2 + 5 + 5 times members (2 + 3))
NESTED_COST = 1 + 2 + 5 + 5 * (2 + 3)
CREATE = """mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) {
  organization { id name } userErrors { field code } } }"""
ORGANIZATION = {
    "name": "Bianchi Srl",
    "kind": "COMPANY",
    "legalName": "Bianchi Srl",
    "vatNumber": "IT01114601006",
    "taxCode": "01114601006",
}


def cost(body: dict) -> dict:
    return body["extensions"]["cost"]


async def test_nested_pages_multiply_and_the_answer_counts_what_came_back(client):
    owner = await person(client, "owner@example.com")
    await organization(client, owner)
    body = await owner.gql(client, NESTED)
    assert "errors" not in body
    # One organization with one member came back: viewer 1 + organizations (2 + 1) + its members (2 + 1).
    assert cost(body)["requestedQueryCost"] == NESTED_COST == 33
    assert cost(body)["actualQueryCost"] == 1 + 2 + 1 + 2 + 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", 0),
        ("{ viewer { user { id email fullName language } } }", 2),  # two objects, scalars and enums free
        ("{ viewer { organizations { totalCount pageInfo { hasNextPage } } } }", 1 + 2 + 20),  # the default page
        ("{ viewer { organizations(last: 7) { edges { cursor node { id } } } } }", 1 + 2 + 7),
        ("{ viewer { organizations(first: 1000) { totalCount } } }", 1 + 2 + 100),  # beyond the maximum page
        # The edge and its node are the connection's; what the node selects is paid per item.
        ("{ viewer { organizations(first: 4) { edges { role node { myMembership { role } } } } } }", 1 + 2 + 4 + 4),
        (
            """{ viewer {
              a: organizations(first: 2) { edges { node { auditLog(first: 10) { edges { node { id } } } } } }
              b: organizations(first: 3) { edges { node { id } } } } }""",
            1 + (2 + 2 + 2 * (2 + 10)) + (2 + 3),
        ),
    ],
)
async def test_the_cost_of_concrete_queries(client, query, expected):
    owner = await person(client, "owner@example.com")
    body = await owner.gql(client, query)
    assert cost(body)["requestedQueryCost"] == expected, body


async def test_fragments_and_inline_fragments_cost_what_they_select(client):
    owner = await person(client, "owner@example.com")
    spread = """query { viewer { ...Orgs } }
      fragment Orgs on Viewer { organizations(first: 5) { edges { node { ...Org } } } }
      fragment Org on Organization { name ... on Organization { members(first: 3) { edges { node { fullName } } } } }"""
    assert cost(await owner.gql(client, spread))["requestedQueryCost"] == NESTED_COST


async def test_an_interface_costs_its_most_expensive_possible_type(client):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    query = """query($id: ID!) { node(id: $id) { id
      ... on Organization { members(first: 10) { edges { node { fullName } } } }
      ... on Product { organization { name } } } }"""
    body = await owner.gql(client, query, {"id": org})
    assert body["data"]["node"]["members"]["edges"]
    # node 1 + the Organization's members (2 + 10); a Product's organization would cost 1 only.
    assert cost(body) == {"requestedQueryCost": 1 + 2 + 10, "actualQueryCost": 1 + 2 + 1}
    many = await owner.gql(client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [org, org, org]})
    assert cost(many)["requestedQueryCost"] == 3  # an object per id


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"orgs": 5, "members": 3}, NESTED_COST),
        ({"orgs": 2, "members": 10}, 1 + 2 + 2 + 2 * (2 + 10)),
        ({"orgs": 2}, 1 + 2 + 2 + 2 * (2 + 4)),  # the variable's own default
        ({"orgs": None, "members": 1}, 1 + 2 + 20 + 20 * (2 + 1)),  # null: the field's default page
    ],
)
async def test_page_sizes_come_from_the_variables(client, variables, expected):
    owner = await person(client, "owner@example.com")
    query = """query($orgs: Int, $members: Int = 4) { viewer { organizations(first: $orgs) { edges { node {
      name members(first: $members) { edges { node { fullName } } } } } } } }"""
    body = await owner.gql(client, query, variables)
    assert "errors" not in body
    assert cost(body)["requestedQueryCost"] == expected


async def test_a_mutation_costs_10_and_its_payload(client):
    owner = await person(client, "owner@example.com")
    body = await owner.gql(client, CREATE, {"input": ORGANIZATION})
    assert body["data"]["createOrganization"]["userErrors"] == []
    # 10 + organization 1 + userErrors 1; no userError came back.
    assert cost(body)["requestedQueryCost"] == 12
    assert cost(body)["actualQueryCost"] == 11
    refused = await owner.gql(client, CREATE, {"input": ORGANIZATION | {"name": ""}})
    assert refused["data"]["createOrganization"]["organization"] is None
    assert cost(refused)["actualQueryCost"] == 11  # the userErrors instead of the organization


async def test_every_answer_carries_the_cost_errors_after_execution_too(client):
    owner = await person(client, "owner@example.com")
    asked = [
        ("{ viewer { user { id } } }", None, owner),
        (CREATE, {"input": ORGANIZATION}, owner),
        ('{ organization(id: "T3JnYW5pemF0aW9uOjA=") { name } }', None, owner),
        ("{ viewer { organizations(first: 101) { totalCount } } }", None, owner),
        ("{ viewer { user { id } } }", None, None),  # anonymous: UNAUTHENTICATED on the field
    ]
    answers = []
    for query, variables, who in asked:
        headers = {"Authorization": f"Bearer {who.token}"} if who else {}
        response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        assert response.headers["ratelimit-policy"].startswith('"cost";q=')
        answers.append(response.json())
    assert [bool(a.get("errors")) for a in answers] == [False, False, True, True, True]
    shape = {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
    assert all(set(cost(a)) == shape for a in answers), answers
    assert cost(answers[2])["actualQueryCost"] == 0  # the organization came back null
    assert set(cost(answers[0])["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


@pytest.mark.parametrize(
    ("accept_language", "message"),
    [
        ("en", "This operation would cost 1,623 points, more than the 1,000 one operation may cost:"),
        ("it", "Questa operazione costerebbe 1.623 punti, più dei 1.000 che una sola operazione può costare:"),
    ],
)
async def test_an_operation_over_the_maximum_is_refused_with_its_cost(
    make_client, settings, engine, accept_language, message
):
    small = replace(settings, budgets=replace(Budgets(), anonymous=Budget(5_000, 10, 1_000)))
    client = await make_client(small)
    query = "{ viewer { organizations(first: 20) { edges { node { members(first: 78) { totalCount } } } } } }"
    headers = {"Accept-Language": accept_language}
    for accept, status in (("application/json", 200), (GRAPHQL_RESPONSE, 400)):
        response = await client.post("/graphql", json={"query": query}, headers=headers | {"Accept": accept})
        assert response.status_code == status
        [error] = response.json()["errors"]
        assert error["message"].startswith(message)
        assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
        assert error["extensions"]["maximumQueryCost"] == 1_000
        assert error["extensions"]["cost"]["requestedQueryCost"] == 1 + 2 + 20 + 20 * (2 + 78) == 1_623
        assert response.json().get("data") is None  # like any validation failure: nothing ran
    async with engine.connect() as conn:  # refused without touching the bucket
        assert await conn.scalar(text("SELECT count(*) FROM query_cost_buckets")) == 0
