"""Rules of permissions/ that no broader table pins down, each through HTTP."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from permissions.policy import Grant
from permissions.rights import Right, Role
from tests.orgs import INVITE, join, organization, person

UPDATE = """mutation($id: ID!) { updateMember(input: {memberId: $id, rights: [VIEW_PRODUCTS]}) {
  userErrors { code } } }"""
BLOCK = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
UNBLOCK = "mutation($id: ID!) { unblockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
REMOVE = "mutation($id: ID!) { removeMember(input: {memberId: $id}) { removedMemberId userErrors { code } } }"


@pytest.fixture
async def team(client):
    owner = await person(client, "owner@rules.example")
    org = await organization(client, owner, "Rules Srl")
    people = {"owner": owner}
    ids = {}
    for name, role, rights in (
        ("admin", "ADMIN", []),
        ("other_admin", "ADMIN", []),
        ("manager", "MEMBER", ["MANAGE_MEMBERS"]),
        ("member", "MEMBER", []),
    ):
        people[name] = await person(client, f"{name}@rules.example")
        ids[name] = await join(client, owner, org, people[name], role=role, rights=rights)
    members = await owner.gql(client, "query($id: ID!) { organization(id: $id) { myMembership { id } } }", {"id": org})
    ids["owner"] = members["data"]["organization"]["myMembership"]["id"]
    return org, people, ids


def codes(body: dict, field: str) -> list[str]:
    assert "errors" not in body, body
    return [e["code"] for e in body["data"][field]["userErrors"]]


async def test_only_an_owner_or_an_admin_changes_blocks_or_removes_an_admin(client, team):
    _, people, ids = team
    manager = people["manager"]
    for document, field in ((UPDATE, "updateMember"), (BLOCK, "blockMember"), (REMOVE, "removeMember")):
        assert codes(await manager.gql(client, document, {"id": ids["admin"]}), field) == ["ADMIN_REQUIRED"]
    # The manager still manages plain members, and an admin manages another admin.
    assert codes(await manager.gql(client, BLOCK, {"id": ids["member"]}), "blockMember") == []
    assert codes(await manager.gql(client, UNBLOCK, {"id": ids["member"]}), "unblockMember") == []
    admin = people["admin"]
    assert codes(await admin.gql(client, BLOCK, {"id": ids["other_admin"]}), "blockMember") == []
    assert codes(await admin.gql(client, UNBLOCK, {"id": ids["other_admin"]}), "unblockMember") == []


async def test_only_an_owner_changes_blocks_or_removes_an_owner(client, team):
    _, people, ids = team
    for actor in ("admin", "manager"):
        for document, field in ((UPDATE, "updateMember"), (BLOCK, "blockMember"), (REMOVE, "removeMember")):
            body = await people[actor].gql(client, document, {"id": ids["owner"]})
            assert codes(body, field) == ["OWNER_REQUIRED"], (actor, field)


@pytest.mark.parametrize(
    ("actor", "role", "rights", "code"),
    [
        ("admin", "OWNER", [], "OWNER_REQUIRED"),  # only an owner makes owners
        ("manager", "ADMIN", [], "RIGHT_NOT_HELD"),  # an admin holds every right, which a manager does not
        ("manager", "MEMBER", ["PAY"], "RIGHT_NOT_HELD"),
        ("manager", "MEMBER", ["MANAGE_MEMBERS"], None),
        ("admin", "ADMIN", [], None),
    ],
)
async def test_nobody_hands_out_a_role_or_right_they_do_not_hold(client, team, actor, role, rights, code):
    org, people, _ = team
    data = {"organizationId": org, "email": "new@rules.example", "role": role, "rights": rights}
    body = await people[actor].gql(client, INVITE, {"input": data})
    assert codes(body, "inviteMember") == ([code] if code else [])


def test_a_blocked_membership_holds_no_right():
    """Every guarded path refuses a blocked member before asking for rights (NOT_FOUND, in tests/test_members.py);
    the Grant agrees with its SQL twin `membership_holds` anyway, for payload fields that null without a right."""
    active = Grant(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), Role.OWNER, frozenset(), True, frozenset(), True, full=True
    )
    assert all(active.holds(right) for right in Right)
    assert not any(replace(active, active=False).holds(right) for right in Right)
