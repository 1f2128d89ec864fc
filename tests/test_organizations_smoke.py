from __future__ import annotations

from tests.orgs import join, organization, person

ORGS = """{ viewer { organizations(first: 10) { edges { role rights node { id name
  myMembership { role } members(first: 5) { totalCount edges { node { email role } } } } }
  pageInfo { hasNextPage endCursor } } activeOrganization { name } } }"""


async def test_create_invite_accept_and_list(client):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    helper = await person(client, "helper@example.com")
    await join(client, owner, org, helper, rights=["VIEW_BILLING"])
    body = await owner.gql(client, ORGS)
    assert "errors" not in body, body
    edge = body["data"]["viewer"]["organizations"]["edges"][0]
    assert edge["role"] == "OWNER"
    assert edge["node"]["members"]["totalCount"] == 2
    mine = await helper.gql(client, ORGS)
    assert mine["data"]["viewer"]["organizations"]["edges"][0]["rights"] == ["VIEW_BILLING"]
