from __future__ import annotations

from sqlalchemy import text

from tests.orgs import buy, join, organization, person

UPDATE = """mutation($input: UpdateMemberInput!) { updateMember(input: $input) {
  member { role rights productScope { allProducts productIds } topics } userErrors { field code message } } }"""
BLOCK = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
UNBLOCK = "mutation($id: ID!) { unblockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
REMOVE = "mutation($id: ID!) { removeMember(input: {memberId: $id}) { removedMemberId userErrors { code } } }"
LEAVE = """mutation($id: ID!) { leaveOrganization(input: {organizationId: $id}) {
  leftOrganizationId userErrors { code message } } }"""
TRANSFER = """mutation($org: ID!, $to: ID!, $stay: Boolean!) {
  transferOwnership(input: {organizationId: $org, toMemberId: $to, remainOwner: $stay}) {
    organization { legalRepresentative { email } myMembership { role } } userErrors { code } } }"""
ORG_NAME = "query($id: ID!) { organization(id: $id) { name myMembership { id role } } }"
NOTIFY = """mutation($id: ID!, $topics: [Topic!]!) {
  updateMyNotifications(input: {organizationId: $id, topics: $topics}) {
  member { topics } userErrors { code } } }"""


async def _owner_id(client, owner, org) -> str:
    return (await owner.gql(client, ORG_NAME, {"id": org}))["data"]["organization"]["myMembership"]["id"]


async def test_the_last_owner_cannot_leave_be_removed_demoted_or_blocked(client):
    owner = await person(client, "only-owner@example.com")
    org = await organization(client, owner)
    admin = await person(client, "admin@example.com")
    await join(client, owner, org, admin, role="ADMIN")
    owner_member = await _owner_id(client, owner, org)

    left = await owner.gql(client, LEAVE, {"id": org})
    assert [e["code"] for e in left["data"]["leaveOrganization"]["userErrors"]] == ["LAST_OWNER"]
    # Admins cannot touch owners at all; that refusal comes first.
    for mutation in (REMOVE, BLOCK):
        body = await admin.gql(client, mutation, {"id": owner_member})
        assert next(iter(body["data"].values()))["userErrors"] == [{"code": "OWNER_REQUIRED"}]
    demote = await admin.gql(client, UPDATE, {"input": {"memberId": owner_member, "role": "ADMIN"}})
    assert [e["code"] for e in demote["data"]["updateMember"]["userErrors"]] == ["OWNER_REQUIRED"]


async def test_an_owner_cannot_demote_the_only_other_owner_when_that_leaves_none(client):
    first = await person(client, "first@example.com")
    org = await organization(client, first)
    second = await person(client, "second@example.com")
    second_member = await join(client, first, org, second, role="OWNER")
    first_member = await _owner_id(client, first, org)
    ok = await first.gql(client, UPDATE, {"input": {"memberId": second_member, "role": "ADMIN"}})
    assert ok["data"]["updateMember"]["userErrors"] == []
    # `first` is now the last owner; `second` (ADMIN) cannot demote them, and `first` cannot act on self.
    self_demote = await first.gql(client, UPDATE, {"input": {"memberId": first_member, "role": "ADMIN"}})
    assert [e["code"] for e in self_demote["data"]["updateMember"]["userErrors"]] == ["CANNOT_CHANGE_SELF"]


async def test_owners_can_demote_each_other_while_one_remains(client, engine):
    first = await person(client, "o1@example.com")
    org = await organization(client, first)
    second = await person(client, "o2@example.com")
    second_member = await join(client, first, org, second, role="OWNER")
    first_member = await _owner_id(client, first, org)
    a = await first.gql(client, UPDATE, {"input": {"memberId": second_member, "role": "ADMIN"}})
    b = await second.gql(client, UPDATE, {"input": {"memberId": first_member, "role": "ADMIN"}})
    assert a["data"]["updateMember"]["userErrors"] == []
    assert b["data"]["updateMember"]["userErrors"][0]["code"] == "OWNER_REQUIRED"
    async with engine.connect() as conn:
        owners = await conn.scalar(text("SELECT count(*) FROM memberships WHERE role = 'OWNER'"))
    assert owners == 1


async def test_nobody_grants_rights_they_do_not_hold(client):
    owner = await person(client, "boss@example.com")
    org = await organization(client, owner)
    manager = await person(client, "manager@example.com")
    await join(client, owner, org, manager, rights=["MANAGE_MEMBERS", "VIEW_PRODUCTS"])
    worker = await person(client, "worker@example.com")
    worker_member = await join(client, manager, org, worker, rights=["VIEW_PRODUCTS"])

    billing = await manager.gql(client, UPDATE, {"input": {"memberId": worker_member, "rights": ["VIEW_BILLING"]}})
    errors = billing["data"]["updateMember"]["userErrors"]
    assert [e["code"] for e in errors] == ["RIGHT_NOT_HELD"]
    # The right by its name in the reader's language (Italian by default), never its code.
    assert errors[0]["message"] == "Non puoi concedere permessi che non hai: vedere la fatturazione."
    promote = await manager.gql(client, UPDATE, {"input": {"memberId": worker_member, "role": "ADMIN"}})
    assert [e["code"] for e in promote["data"]["updateMember"]["userErrors"]] == ["RIGHT_NOT_HELD"]
    owner_role = await manager.gql(client, UPDATE, {"input": {"memberId": worker_member, "role": "OWNER"}})
    assert [e["code"] for e in owner_role["data"]["updateMember"]["userErrors"]] == ["OWNER_REQUIRED"]
    fine = await manager.gql(
        client, UPDATE, {"input": {"memberId": worker_member, "rights": ["VIEW_PRODUCTS"], "topics": ["TECHNICAL"]}}
    )
    assert fine["data"]["updateMember"]["member"]["topics"] == ["TECHNICAL"]


async def test_a_limited_scope_cannot_be_widened_by_its_holder(client, engine, settings, clock):
    owner = await person(client, "scope-owner@example.com")
    org = await organization(client, owner)
    bought = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        org,
        *({"sku": "domain-com", "periodMonths": 12, "domainName": n} for n in ("scope-a.com", "scope-b.com")),
    )
    product_a, product_b = (p["id"] for p in bought)
    lead = await person(client, "lead@example.com")
    await join(
        client,
        owner,
        org,
        lead,
        rights=["MANAGE_MEMBERS", "VIEW_PRODUCTS"],
        scope={"allProducts": False, "productIds": [product_a]},
    )
    helper = await person(client, "scoped-helper@example.com")
    helper_member = await join(
        client, lead, org, helper, rights=["VIEW_PRODUCTS"], scope={"allProducts": False, "productIds": [product_a]}
    )
    wider = await lead.gql(
        client,
        UPDATE,
        {
            "input": {
                "memberId": helper_member,
                "productScope": {"allProducts": False, "productIds": [product_a, product_b]},
            }
        },
    )
    assert [e["code"] for e in wider["data"]["updateMember"]["userErrors"]] == ["SCOPE_NOT_HELD"]
    everything = await lead.gql(
        client, UPDATE, {"input": {"memberId": helper_member, "productScope": {"allProducts": True}}}
    )
    assert [e["code"] for e in everything["data"]["updateMember"]["userErrors"]] == ["SCOPE_NOT_HELD"]
    me = await helper.gql(
        client,
        "query($id: ID!) { organization(id: $id) { myMembership { productScope { allProducts productIds } } } }",
        {"id": org},
    )
    assert me["data"]["organization"]["myMembership"]["productScope"] == {
        "allProducts": False,
        "productIds": [product_a],
    }


async def test_a_blocked_member_sees_nothing_until_unblocked(client):
    owner = await person(client, "blocker@example.com")
    org = await organization(client, owner, "Blocking Srl")
    member = await person(client, "blocked@example.com")
    member_id = await join(client, owner, org, member, rights=["VIEW_PRODUCTS"])
    blocked = await owner.gql(client, BLOCK, {"id": member_id})
    assert blocked["data"]["blockMember"] == {"member": {"status": "BLOCKED"}, "userErrors": []}
    hidden = await member.gql(client, ORG_NAME, {"id": org})
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    listing = await member.gql(client, "{ viewer { organizations { edges { node { name } } } } }")
    assert listing["data"]["viewer"]["organizations"]["edges"] == []
    await owner.gql(client, UNBLOCK, {"id": member_id})
    assert (await member.gql(client, ORG_NAME, {"id": org}))["data"]["organization"]["name"] == "Blocking Srl"


async def test_removed_member_keeps_the_account_and_loses_the_organization(client):
    owner = await person(client, "remover@example.com")
    org = await organization(client, owner)
    member = await person(client, "removed@example.com")
    member_id = await join(client, owner, org, member)
    removed = await owner.gql(client, REMOVE, {"id": member_id})
    assert removed["data"]["removeMember"] == {"removedMemberId": member_id, "userErrors": []}
    assert (await member.gql(client, ORG_NAME, {"id": org}))["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await member.gql(client, "{ viewer { user { email } } }"))["data"]["viewer"]["user"]["email"] == (
        "removed@example.com"
    )


async def test_leaving_the_last_organization_keeps_the_account(client):
    owner = await person(client, "stay@example.com")
    org = await organization(client, owner)
    member = await person(client, "goer@example.com")
    await join(client, owner, org, member)
    left = await member.gql(client, LEAVE, {"id": org})
    assert left["data"]["leaveOrganization"] == {"leftOrganizationId": org, "userErrors": []}
    after = await member.gql(client, "{ viewer { user { email } organizations { edges { node { id } } } } }")
    assert after["data"]["viewer"] == {"user": {"email": "goer@example.com"}, "organizations": {"edges": []}}


async def test_transfer_ownership_hands_over_the_legal_representative(client):
    owner = await person(client, "old-owner@example.com")
    org = await organization(client, owner)
    heir = await person(client, "heir@example.com")
    heir_member = await join(client, owner, org, heir)
    body = await owner.gql(client, TRANSFER, {"org": org, "to": heir_member, "stay": False})
    assert body["data"]["transferOwnership"] == {
        "organization": {"legalRepresentative": {"email": "heir@example.com"}, "myMembership": {"role": "ADMIN"}},
        "userErrors": [],
    }
    again = await owner.gql(client, TRANSFER, {"org": org, "to": heir_member, "stay": True})
    assert again["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRole": "OWNER"}


async def test_members_choose_their_own_notifications(client):
    owner = await person(client, "notify-owner@example.com")
    org = await organization(client, owner)
    member = await person(client, "notified@example.com")
    await join(client, owner, org, member)
    body = await member.gql(client, NOTIFY, {"id": org, "topics": ["BILLING", "EXPIRY"]})
    assert body["data"]["updateMyNotifications"] == {"member": {"topics": ["BILLING", "EXPIRY"]}, "userErrors": []}


async def test_member_changes_are_in_the_audit_log(client):
    owner = await person(client, "audit-owner@example.com")
    org = await organization(client, owner)
    member = await person(client, "audited@example.com")
    member_id = await join(client, owner, org, member)
    await owner.gql(client, UPDATE, {"input": {"memberId": member_id, "rights": ["SUPPORT"]}})
    body = await owner.gql(
        client,
        "query($id: ID!) { organization(id: $id) { auditLog(first: 20) {"
        " edges { node { action targetId details } } } } }",
        {"id": org},
    )
    entries = {e["node"]["action"]: e["node"] for e in body["data"]["organization"]["auditLog"]["edges"]}
    assert set(entries) >= {"organization.create", "invitation.create", "invitation.accept", "member.update"}
    assert entries["member.update"]["targetId"] == member_id
    assert entries["member.update"]["details"]["after"]["rights"] == ["SUPPORT"]
