"""Invitations tried as an attacker: an account that has not proven its address gets nothing sent to it."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.graphql import gql, mailbox, sign_up
from tests.orgs import ACCEPT, INVITE, Person, organization, person, token_in

PENDING = "{ viewer { pendingInvitations { id organizationName role } } }"
ORGANIZATIONS = "{ viewer { organizations { edges { role node { name } } } } }"
LIST = """query($id: ID!) { organization(id: $id) { invitations(first: 10) { edges { node { id email status } } } } }"""
DECLINE = """mutation($input: DeclineInvitationInput!) {
  declineInvitation(input: $input) { declined userErrors { code } } }"""


async def _invite_admin(client, owner: Person, org: str, email: str) -> str:
    data = {"organizationId": org, "email": email, "role": "ADMIN"}
    invited = (await owner.gql(client, INVITE, {"input": data}))["data"]["inviteMember"]
    assert invited["userErrors"] == [], invited
    return invited["invitation"]["id"]


async def _stranger(client, email: str) -> Person:
    """Someone who signs up with an address they do not own: they never read its mail."""
    signed = await sign_up(client, email, PASSWORD, "Not The Invitee")
    client.cookies.clear()
    assert signed["userErrors"] == [], signed
    return Person(email, signed["sessionToken"])


async def test_a_stranger_who_signs_up_with_an_invited_address_does_not_join(client):
    owner = await person(client, "takeover-owner@example.com")
    org = await organization(client, owner, "Vittima Srl")
    invitation = await _invite_admin(client, owner, org, "invitee@example.com")

    stranger = await _stranger(client, "invitee@example.com")
    # Ids are not secrets (they appear in lists, logs, links): knowing one must not be enough.
    stolen = await stranger.gql(client, ACCEPT, {"input": {"invitationId": invitation}})
    assert stolen["data"]["acceptInvitation"]["member"] is None, "a stranger joined as ADMIN"
    assert (await stranger.gql(client, ORGANIZATIONS))["data"]["viewer"]["organizations"]["edges"] == []
    assert (await stranger.gql(client, PENDING))["data"]["viewer"]["pendingInvitations"] == []
    assert [e["code"] for e in stolen["data"]["acceptInvitation"]["userErrors"]] == ["EMAIL_NOT_VERIFIED"]
    declined = await stranger.gql(client, DECLINE, {"input": {"invitationId": invitation}})
    assert declined["data"]["declineInvitation"] == {"declined": False, "userErrors": [{"code": "EMAIL_NOT_VERIFIED"}]}

    listed = (await owner.gql(client, LIST, {"id": org}))["data"]["organization"]["invitations"]["edges"]
    assert [e["node"]["status"] for e in listed] == ["PENDING"]


async def test_the_real_invitee_reclaims_the_address_and_accepts(client):
    owner = await person(client, "reclaim-owner@example.com")
    org = await organization(client, owner, "Vittima Srl")
    await _invite_admin(client, owner, org, "reclaim@example.com")
    stranger = await _stranger(client, "reclaim@example.com")
    # The squatter points password resets elsewhere; an unproven account's resets still go to its login address.
    recovery = await stranger.gql(
        client,
        "mutation($i: SetRecoveryEmailInput!) { setRecoveryEmail(input: $i) { userErrors { code } } }",
        {"i": {"email": "attacker@example.org", "currentPassword": PASSWORD}},
    )
    assert recovery["data"]["setRecoveryEmail"]["userErrors"] == []

    token = token_in(next(m for m in await mailbox(client, "reclaim@example.com") if m["kind"] == "invitation"))
    anonymous = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "Real", "password": PASSWORD}})
    assert anonymous["data"]["acceptInvitation"]["userErrors"][0]["code"] == "ACCOUNT_EXISTS"

    await gql(client, 'mutation { requestPasswordReset(input: {email: "reclaim@example.com"}) { requested } }')
    assert not [m for m in await mailbox(client, "attacker@example.org") if m["kind"] == "password_reset"]
    reset_mail = next(m for m in await mailbox(client, "reclaim@example.com") if m["kind"] == "password_reset")
    reset_token = reset_mail["body"].split("token=")[1].split()[0]
    new_password = "the real owner of this mailbox 77"
    reset = await gql(
        client,
        "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { passwordReset userErrors { code } } }",
        {"i": {"token": reset_token, "newPassword": new_password}},
    )
    assert reset["data"]["resetPassword"] == {"passwordReset": True, "userErrors": []}
    # The squatter's session ended with the reset.
    assert (await stranger.gql(client, PENDING))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    logged_in = await gql(
        client,
        "mutation($i: LogInInput!) { logIn(input: $i) { sessionToken user { emailVerified } } }",
        {"i": {"email": "reclaim@example.com", "password": new_password}},
    )
    client.cookies.clear()
    invitee = Person("reclaim@example.com", logged_in["data"]["logIn"]["sessionToken"])
    # A reset link read in the login mailbox proves the address, as a verification link would.
    assert logged_in["data"]["logIn"]["user"]["emailVerified"] is True
    pending = (await invitee.gql(client, PENDING))["data"]["viewer"]["pendingInvitations"]
    assert [(p["organizationName"], p["role"]) for p in pending] == [("Vittima Srl", "ADMIN")]
    accepted = await invitee.gql(client, ACCEPT, {"input": {"invitationId": pending[0]["id"]}})
    assert accepted["data"]["acceptInvitation"]["userErrors"] == []
    assert accepted["data"]["acceptInvitation"]["member"]["role"] == "ADMIN"
