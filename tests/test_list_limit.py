"""Every list argument takes at most 100 items, in variables and in literals: more is the caller's mistake."""

from __future__ import annotations

import uuid

from strawberry import relay

from tests.orgs import organization, person

INVITE = """mutation($input: InviteMemberInput!) { inviteMember(input: $input) { userErrors { code } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def _products(count: int) -> list[str]:
    return [str(relay.GlobalID("Product", str(uuid.uuid4()))) for _ in range(count)]


async def test_a_list_in_the_variables_longer_than_100_is_bad_user_input_and_reaches_nothing(client, sql):
    owner = await person(client, "lists@example.com")
    org = await organization(client, owner)
    scope = {"allProducts": False, "productIds": _products(101)}
    variables = {"input": {"organizationId": org, "email": "x@example.com", "role": "MEMBER", "productScope": scope}}
    before = sql.count
    body = await owner.gql(client, INVITE, variables)
    assert body["_status"] == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "A list argument holds at most 100 items."
    assert sql.count - before <= 2  # the session lookup only: no resolver ran
    # At the limit the request runs, and the scope check answers for itself.
    scope["productIds"] = scope["productIds"][:100]
    answered = await owner.gql(client, INVITE, variables)
    assert answered["data"]["inviteMember"]["userErrors"][0]["code"] == "PRODUCT_NOT_IN_ORGANIZATION"


async def test_a_literal_list_longer_than_100_is_bad_user_input(client):
    owner = await person(client, "literal-lists@example.com")
    ids = ", ".join(f'"{i}"' for i in _products(101))
    body = await owner.gql(client, f"{{ nodes(ids: [{ids}]) {{ id }} }}")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body.get("data") is None
    hundred = await owner.gql(client, NODES, {"ids": _products(100)})
    assert len(hundred["data"]["nodes"]) == 100
