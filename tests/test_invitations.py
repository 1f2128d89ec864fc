from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import gql, mailbox
from tests.orgs import ACCEPT, INVITE, join, organization, person, token_in

LIST = """query($id: ID!) { organization(id: $id) { invitations(first: 10) {
  edges { node { id email status role rights } } } } }"""
REVOKE = (
    "mutation($id: ID!) { revokeInvitation(input: {invitationId: $id}) { invitation { status } userErrors { code } } }"
)
RESEND = (
    "mutation($id: ID!) { resendInvitation(input: {invitationId: $id}) { invitation { status } userErrors { code } } }"
)
DECLINE = """mutation($token: String, $id: ID) { declineInvitation(input: {token: $token, invitationId: $id}) {
  declined userErrors { code } } }"""
PENDING = "{ viewer { pendingInvitations { id organizationName role } } }"


async def _invite(client, inviter, org, email, **extra):
    data = {"organizationId": org, "email": email, "role": "MEMBER", "rights": ["VIEW_PRODUCTS"]} | extra
    return (await inviter.gql(client, INVITE, {"input": data}))["data"]["inviteMember"]


async def test_invitation_creates_the_account_and_logs_in(client, engine):
    owner = await person(client, "host@example.com")
    org = await organization(client, owner, "Host Srl")
    invited = await _invite(client, owner, org, "New.Person@Example.com", topics=["TECHNICAL"])
    assert invited["invitation"]["email"] == "new.person@example.com"
    message = (await mailbox(client, "new.person@example.com"))[0]
    assert "Host Srl" in message["subject"]
    token = token_in(message)
    async with engine.connect() as conn:
        stored = await conn.scalar(text("SELECT token_hash FROM invitations"))
    assert token.encode() not in stored

    weak = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "New Person", "password": "short"}})
    assert [e["code"] for e in weak["data"]["acceptInvitation"]["userErrors"]] == ["PASSWORD_TOO_SHORT"]
    body = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "New Person", "password": PASSWORD}})
    accepted = body["data"]["acceptInvitation"]
    assert accepted["userErrors"] == []
    assert accepted["member"]["rights"] == ["VIEW_PRODUCTS"]
    client.cookies.clear()
    viewer = await gql(
        client,
        "{ viewer { user { email } organizations { edges { role node { name } } } } }",
        token=accepted["sessionToken"],
    )
    assert viewer["data"]["viewer"]["user"]["email"] == "new.person@example.com"
    assert viewer["data"]["viewer"]["organizations"]["edges"] == [{"role": "MEMBER", "node": {"name": "Host Srl"}}]
    reused = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "X", "password": PASSWORD}})
    assert reused["data"]["acceptInvitation"]["userErrors"][0]["code"] == "INVITATION_INVALID"


async def test_an_existing_account_must_log_in_to_accept(client):
    owner = await person(client, "inviter@example.com")
    org = await organization(client, owner)
    existing = await person(client, "existing@example.com")
    await _invite(client, owner, org, "existing@example.com")
    token = token_in((await mailbox(client, "existing@example.com", "invitation"))[0])
    anonymous = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "Someone", "password": PASSWORD}})
    assert anonymous["data"]["acceptInvitation"]["userErrors"][0]["code"] == "ACCOUNT_EXISTS"
    logged_in = await existing.gql(client, ACCEPT, {"input": {"token": token}})
    assert logged_in["data"]["acceptInvitation"]["userErrors"] == []
    assert logged_in["data"]["acceptInvitation"]["sessionToken"] is None


async def test_pending_invitations_can_be_answered_by_id_from_the_invited_account(client):
    owner = await person(client, "by-id-owner@example.com")
    org = await organization(client, owner, "By Id Srl")
    invitee = await person(client, "by-id@example.com")
    other = await person(client, "not-invited@example.com")
    await _invite(client, owner, org, "by-id@example.com")
    pending = (await invitee.gql(client, PENDING))["data"]["viewer"]["pendingInvitations"]
    assert [(p["organizationName"], p["role"]) for p in pending] == [("By Id Srl", "MEMBER")]
    assert (await other.gql(client, PENDING))["data"]["viewer"]["pendingInvitations"] == []
    stolen = await other.gql(client, ACCEPT, {"input": {"invitationId": pending[0]["id"]}})
    assert stolen["data"]["acceptInvitation"]["userErrors"][0]["code"] == "INVITATION_INVALID"
    accepted = await invitee.gql(client, ACCEPT, {"input": {"invitationId": pending[0]["id"]}})
    assert accepted["data"]["acceptInvitation"]["userErrors"] == []


async def test_invitations_expire_after_seven_days(client, clock):
    owner = await person(client, "expiry-owner@example.com")
    org = await organization(client, owner)
    await _invite(client, owner, org, "late@example.com")
    token = token_in((await mailbox(client, "late@example.com"))[0])
    clock.advance(timedelta(days=7, minutes=1))
    body = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "Late", "password": PASSWORD}})
    assert body["data"]["acceptInvitation"]["userErrors"][0]["code"] == "INVITATION_EXPIRED"
    await owner.log_in_again(client)
    listed = await owner.gql(client, LIST, {"id": org})
    assert listed["data"]["organization"]["invitations"]["edges"][0]["node"]["status"] == "EXPIRED"


async def test_resend_gives_a_new_link_and_ends_the_old_one(client, clock):
    owner = await person(client, "resender@example.com")
    org = await organization(client, owner)
    invitation = (await _invite(client, owner, org, "twice@example.com"))["invitation"]["id"]
    old = token_in((await mailbox(client, "twice@example.com"))[0])
    clock.advance(timedelta(days=6))
    await owner.log_in_again(client)
    resent = await owner.gql(client, RESEND, {"id": invitation})
    assert resent["data"]["resendInvitation"] == {"invitation": {"status": "PENDING"}, "userErrors": []}
    new = token_in((await mailbox(client, "twice@example.com"))[0])
    assert new != old
    stale = await gql(client, ACCEPT, {"input": {"token": old, "fullName": "Twice", "password": PASSWORD}})
    assert stale["data"]["acceptInvitation"]["userErrors"][0]["code"] == "INVITATION_INVALID"
    clock.advance(timedelta(days=6))  # still valid: the new link runs seven days from the resend
    fresh = await gql(client, ACCEPT, {"input": {"token": new, "fullName": "Twice", "password": PASSWORD}})
    assert fresh["data"]["acceptInvitation"]["userErrors"] == []


async def test_revoke_and_decline(client):
    owner = await person(client, "revoker@example.com")
    org = await organization(client, owner)
    revoked_id = (await _invite(client, owner, org, "revoked@example.com"))["invitation"]["id"]
    assert (await owner.gql(client, REVOKE, {"id": revoked_id}))["data"]["revokeInvitation"]["invitation"] == {
        "status": "REVOKED"
    }
    token = token_in((await mailbox(client, "revoked@example.com"))[0])
    refused = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "R", "password": PASSWORD}})
    assert refused["data"]["acceptInvitation"]["userErrors"][0]["code"] == "INVITATION_INVALID"
    again = await owner.gql(client, REVOKE, {"id": revoked_id})
    assert again["data"]["revokeInvitation"]["userErrors"] == [{"code": "NOT_PENDING"}]

    await _invite(client, owner, org, "decliner@example.com")
    decline_token = token_in((await mailbox(client, "decliner@example.com"))[0])
    declined = await gql(client, DECLINE, {"token": decline_token})
    assert declined["data"]["declineInvitation"] == {"declined": True, "userErrors": []}
    statuses = {
        e["node"]["email"]: e["node"]["status"]
        for e in (await owner.gql(client, LIST, {"id": org}))["data"]["organization"]["invitations"]["edges"]
    }
    assert statuses == {"revoked@example.com": "REVOKED", "decliner@example.com": "DECLINED"}


async def test_no_duplicate_invitations_or_members(client):
    owner = await person(client, "dedupe@example.com")
    org = await organization(client, owner)
    member = await person(client, "already@example.com")
    await join(client, owner, org, member)
    assert (await _invite(client, owner, org, "ALREADY@example.com"))["userErrors"][0]["code"] == "ALREADY_MEMBER"
    await _invite(client, owner, org, "pending@example.com")
    assert (await _invite(client, owner, org, "pending@example.com"))["userErrors"][0]["code"] == "ALREADY_INVITED"
    assert (await _invite(client, owner, org, "nope"))["userErrors"][0]["code"] == "EMAIL_INVALID"


async def test_only_an_owner_invites_owners(client):
    owner = await person(client, "inv-owner@example.com")
    org = await organization(client, owner)
    admin = await person(client, "inv-admin@example.com")
    await join(client, owner, org, admin, role="ADMIN")
    refused = await _invite(client, admin, org, "future-owner@example.com", role="OWNER")
    assert refused["userErrors"][0]["code"] == "OWNER_REQUIRED"
    assert (await _invite(client, owner, org, "future-owner@example.com", role="OWNER"))["userErrors"] == []
