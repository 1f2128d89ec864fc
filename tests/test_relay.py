"""Relay conventions clients rely on: connections page both ways with a full PageInfo and totalCount, cursors
belong to one list, `node(id:)` is nullable and `nodes(ids:)` answers each id on its own."""

from __future__ import annotations

import base64
import uuid

from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)
from strawberry import relay

from gateway.graphql.schema import build_schema
from schema.node import RULES
from tests.orgs import INVITE, join, organization, person

PAGE = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { organization(id: $id) {
  invitations(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { email } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
AUDIT = """query($id: ID!, $after: String) { organization(id: $id) { name
  auditLog(first: 2, after: $after) { edges { node { id action } } } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }"


async def invited(client, owner, org: str, count: int) -> list[str]:
    emails = [f"guest{i}@example.net" for i in range(count)]
    for email in emails:
        body = await owner.gql(client, INVITE, {"input": {"organizationId": org, "email": email}})
        assert body["data"]["inviteMember"]["userErrors"] == [], body
    return emails


def page_of(body: dict) -> tuple[list[str], dict]:
    connection = body["data"]["organization"]["invitations"]
    return [e["node"]["email"] for e in connection["edges"]], connection["pageInfo"]


async def test_a_list_pages_forward_and_backward_with_a_full_page_info(client, clock):
    owner = await person(client, "relay-owner@example.com")
    org = await organization(client, owner)
    await invited(client, owner, org, 5)  # one instant: newest first falls back to the id, still one order
    everything = await owner.gql(client, PAGE, {"id": org, "first": 10})
    order, info = page_of(everything)
    assert len(order) == 5
    assert info == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": everything["data"]["organization"]["invitations"]["edges"][0]["cursor"],
        "endCursor": everything["data"]["organization"]["invitations"]["edges"][-1]["cursor"],
    }
    assert everything["data"]["organization"]["invitations"]["totalCount"] == 5

    first, info = page_of(await owner.gql(client, PAGE, {"id": org, "first": 2}))
    assert first == order[:2] and (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)
    second, info = page_of(await owner.gql(client, PAGE, {"id": org, "first": 2, "after": info["endCursor"]}))
    assert second == order[2:4] and (info["hasNextPage"], info["hasPreviousPage"]) == (True, True)

    last, info = page_of(await owner.gql(client, PAGE, {"id": org, "last": 2}))
    assert last == order[3:] and (info["hasNextPage"], info["hasPreviousPage"]) == (False, True)
    before, info = page_of(await owner.gql(client, PAGE, {"id": org, "last": 2, "before": info["startCursor"]}))
    assert before == order[1:3] and (info["hasNextPage"], info["hasPreviousPage"]) == (True, True)
    start, info = page_of(await owner.gql(client, PAGE, {"id": org, "last": 5, "before": info["startCursor"]}))
    assert start == order[:1] and (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)


async def test_page_sizes_out_of_range_are_bad_user_input(client):
    owner = await person(client, "sizes@example.com")
    org = await organization(client, owner)
    for arguments in ({"first": -1}, {"first": 101}, {"last": -1}, {"last": 101}, {"first": 1, "last": 1}):
        body = await owner.gql(client, PAGE, {"id": org, **arguments})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (arguments, body)
        assert body["errors"][0]["path"] == ["organization", "invitations"]
        assert body["data"] == {"organization": {"invitations": None}}


async def test_a_cursor_from_another_list_or_forged_is_bad_user_input(client, clock):
    owner = await person(client, "cursors@example.com")
    org = await organization(client, owner, "Alfa Srl")
    other = await organization(client, owner, "Beta Srl")
    await invited(client, owner, org, 3)
    _, info = page_of(await owner.gql(client, PAGE, {"id": org, "first": 1}))
    cursor = info["endCursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    edited = base64.urlsafe_b64encode(raw[:-3] + b"00]").decode().rstrip("=")  # the last keyset value changed

    asked = {
        "another list of the same organization": (AUDIT, {"id": org, "after": cursor}, "auditLog"),
        "the same list of another organization": (PAGE, {"id": other, "after": cursor}, "invitations"),
        "edited by hand": (PAGE, {"id": org, "after": edited}, "invitations"),
        "not a cursor at all": (PAGE, {"id": org, "before": "bm90IGEgY3Vyc29y"}, "invitations"),
    }
    for case, (document, variables, field) in asked.items():
        body = await owner.gql(client, document, variables)
        errors = body.get("errors") or [{}]
        assert [e.get("extensions", {}).get("code") for e in errors] == ["BAD_USER_INPUT"], (case, body)
        assert errors[0]["path"] == ["organization", field], case
        assert body["data"]["organization"][field] is None, case
    # The genuine cursor still works.
    assert "errors" not in await owner.gql(client, PAGE, {"id": org, "first": 1, "after": cursor})


async def test_nodes_answers_each_id_on_its_own(client, clock):
    owner = await person(client, "nodes-owner@example.com")
    org = await organization(client, owner, "Alfa Srl")
    member = await person(client, "nodes-member@example.com")
    await join(client, owner, org, member)
    entry = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"][0]["node"]
    nowhere = str(relay.GlobalID("Organization", str(uuid.uuid4())))

    body = await member.gql(client, NODES, {"ids": [org, nowhere, entry["id"], org]})

    assert body["data"]["nodes"] == [{"id": org}, None, None, {"id": org}]
    assert sorted((tuple(e["path"]), e["extensions"]["code"]) for e in body["errors"]) == [
        (("nodes", 1), "NOT_FOUND"),
        (("nodes", 2), "FORBIDDEN"),
    ]
    refetched = await owner.gql(client, NODE, {"id": entry["id"]})
    assert refetched["data"]["node"] == entry
    unknown = await owner.gql(client, NODE, {"id": nowhere})
    assert unknown["data"] == {"node": None}
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    too_many = await owner.gql(client, NODES, {"ids": [org] * 101})
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len((await owner.gql(client, NODES, {"ids": [org] * 100}))["data"]["nodes"]) == 100


def test_every_node_type_is_resolvable_through_node():
    schema = build_schema()._schema
    node = schema.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    nodes = {t.name for t in schema.get_possible_types(node)}
    assert nodes - {"User"} == set(RULES)
    # Every object a client can refetch by an `id` implements Node.
    with_ids = {
        t.name
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and "id" in t.fields and not t.name.endswith("Payload")
    }
    assert with_ids <= nodes, with_ids - nodes


def test_every_connection_pages_both_ways_with_a_full_page_info_and_a_total_count():
    schema = build_schema()._schema
    page_info = schema.type_map["PageInfo"]
    assert set(page_info.fields) == {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}
    connections = []
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            target = get_named_type(field.type)
            if target.name.endswith("Connection"):
                connections.append(f"{type_.name}.{name}")
                assert {"first", "after", "last", "before"} <= set(field.args), f"{type_.name}.{name}"
                assert isinstance(target.fields["totalCount"].type, GraphQLNonNull), target.name
                assert get_named_type(target.fields["pageInfo"].type) is page_info, target.name
    assert len(connections) >= 13
