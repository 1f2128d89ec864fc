"""Email verification: the link at sign-up, resending it, changing the login address, and their abuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import VERIFY_EMAIL, gql, log_in, mailbox, sign_up, verification_token, verify_email
from tests.orgs import ACCEPT, INVITE, Person, organization, person, token_in

ME = "{ viewer { user { email emailVerified emailVerifiedAt pendingEmail } } }"
RESEND = "mutation { resendEmailVerification { sentTo userErrors { code } } }"
CHANGE = """mutation($i: ChangeEmailInput!) { changeEmail(input: $i) {
  user { email pendingEmail emailVerified } userErrors { field code } } }"""
PENDING = "{ viewer { pendingInvitations { id organizationName } } }"
AUDIT = """query($id: ID!) { organization(id: $id) { auditLog(first: 20) {
  edges { node { action actorEmail details } } } } }"""


async def _signed_up(client, email: str) -> Person:
    signed = await sign_up(client, email, PASSWORD)
    client.cookies.clear()
    assert signed["userErrors"] == [], signed
    return Person(email, signed["sessionToken"])


async def _links(client, to: str) -> list[str]:
    return [verification_token(m) for m in await mailbox(client, to, "email_verification")]


async def _verify(client, link: str, **kwargs) -> dict:
    body = await gql(client, VERIFY_EMAIL, {"token": link}, **kwargs)
    assert "errors" not in body, body
    return body["data"]["verifyEmail"]


async def _me(client, who: Person) -> dict:
    return (await who.gql(client, ME))["data"]["viewer"]["user"]


async def _change(client, who: Person, new_email: str, password: str = PASSWORD) -> dict:
    body = await who.gql(client, CHANGE, {"i": {"newEmail": new_email, "currentPassword": password}})
    return body["data"]["changeEmail"]


async def test_sign_up_mails_a_single_use_link_that_verifies_the_address(client, engine, clock):
    ada = await _signed_up(client, "Ada@Example.com")
    assert await _me(client, ada) == {
        "email": "ada@example.com",
        "emailVerified": False,
        "emailVerifiedAt": None,
        "pendingEmail": None,
    }
    [message] = await mailbox(client, "ada@example.com", "email_verification")
    assert message["subject"] == "Conferma il tuo indirizzo email"  # new accounts start in Italian
    token = verification_token(message)
    assert f"http://testserver/verify-email?token={token}" in message["body"]
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT token_hash FROM email_verification_tokens"))).scalars().all()
    assert len(stored) == 1 and token.encode() not in stored[0]

    clock.advance(timedelta(minutes=20))
    # Public: the link may be opened on a phone that is not logged in.
    assert await _verify(client, token) == {"verified": True, "email": "ada@example.com", "userErrors": []}
    me = await _me(client, ada)
    assert me["emailVerified"] is True and me["emailVerifiedAt"].startswith("2026-11-22T09:20")
    replayed = await _verify(client, token)
    assert replayed == {"verified": False, "email": None, "userErrors": [{"code": "INVALID_TOKEN"}]}
    assert (await _verify(client, "gwe_made-up"))["userErrors"] == [{"code": "INVALID_TOKEN"}]


async def test_links_expire_after_a_day_and_resending_gives_a_new_one(client, clock):
    late = await _signed_up(client, "late@example.com")
    [first] = await _links(client, "late@example.com")
    clock.advance(timedelta(hours=24, minutes=1))
    assert (await _verify(client, first))["userErrors"] == [{"code": "INVALID_TOKEN"}]
    await late.log_in_again(client)
    assert (await late.gql(client, RESEND))["data"]["resendEmailVerification"] == {
        "sentTo": "late@example.com",
        "userErrors": [],
    }
    newest = (await _links(client, "late@example.com"))[0]
    assert newest != first
    assert (await _verify(client, newest))["verified"] is True
    done = (await late.gql(client, RESEND))["data"]["resendEmailVerification"]
    assert done == {"sentTo": None, "userErrors": [{"code": "ALREADY_VERIFIED"}]}
    anonymous = await gql(client, RESEND)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_verification_mails_per_account_are_capped(client, clock):
    flood = await _signed_up(client, "flood@example.com")  # the sign-up's link is the first of five an hour
    for _ in range(4):
        assert (await flood.gql(client, RESEND))["data"]["resendEmailVerification"]["userErrors"] == []
    refused = await flood.gql(client, RESEND)
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused["errors"][0]["extensions"]["retryAfterSeconds"] == 3600
    assert len(await _links(client, "flood@example.com")) == 5
    clock.advance(timedelta(minutes=61))
    await flood.log_in_again(client)
    assert (await flood.gql(client, RESEND))["data"]["resendEmailVerification"]["userErrors"] == []


async def test_verify_email_is_throttled_per_ip(make_client, settings):
    client = await make_client(replace(settings, ip_attempts_per_minute=3))
    for _ in range(3):
        assert (await _verify(client, "gwe_guess"))["userErrors"] == [{"code": "INVALID_TOKEN"}]
    body = await gql(client, VERIFY_EMAIL, {"token": "gwe_guess"})
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_link_verifies_only_its_own_account(client):
    first = await _signed_up(client, "first@example.com")
    second = await _signed_up(client, "second@example.com")
    [token] = await _links(client, "first@example.com")
    # Whoever's session opens the link, it proves the address it was mailed to for the account it was made for.
    assert (await _verify(client, token, token=second.token))["email"] == "first@example.com"
    assert (await _me(client, first))["emailVerified"] is True
    assert (await _me(client, second))["emailVerified"] is False


async def test_change_email_verifies_the_new_address_before_it_replaces_the_old(client):
    owner = await person(client, "old@example.com")
    assert (await _change(client, owner, "not an address"))["userErrors"] == [
        {"field": ["input", "newEmail"], "code": "EMAIL_INVALID"}
    ]
    assert (await _change(client, owner, "new@example.com", "wrong wrong wrong"))["userErrors"][0]["code"] == (
        "INVALID_PASSWORD"
    )
    assert (await _change(client, owner, "OLD@example.com"))["userErrors"][0]["code"] == "EMAIL_UNCHANGED"
    await person(client, "taken@example.com")
    assert (await _change(client, owner, "taken@example.com"))["userErrors"][0]["code"] == "EMAIL_TAKEN"

    asked = await _change(client, owner, "New@Example.com")
    assert asked == {
        "user": {"email": "old@example.com", "pendingEmail": "new@example.com", "emailVerified": True},
        "userErrors": [],
    }
    # Until the new address is proven, the old one still logs in and the new one does not.
    assert (await log_in(client, "new@example.com", PASSWORD))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    client.cookies.clear()
    [token] = await _links(client, "new@example.com")
    assert await _verify(client, token) == {"verified": True, "email": "new@example.com", "userErrors": []}
    assert await _me(client, owner) == {
        "email": "new@example.com",
        "emailVerified": True,
        "emailVerifiedAt": (await _me(client, owner))["emailVerifiedAt"],
        "pendingEmail": None,
    }
    [told] = await mailbox(client, "old@example.com", "email_changed")
    assert "new@example.com" in told["body"]
    assert (await log_in(client, "new@example.com", PASSWORD))["userErrors"] == []
    assert (await log_in(client, "old@example.com", PASSWORD))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_changing_back_to_the_login_email_withdraws_the_change(client, clock):
    typo = await _signed_up(client, "mine@example.com")
    assert (await _change(client, typo, "mnie@example.com"))["userErrors"] == []
    [wrong_link] = await _links(client, "mnie@example.com")
    withdrawn = await _change(client, typo, "mine@example.com")
    assert withdrawn["user"] == {"email": "mine@example.com", "pendingEmail": None, "emailVerified": False}
    assert (await _verify(client, wrong_link))["userErrors"] == [{"code": "INVALID_TOKEN"}]
    clock.advance(timedelta(minutes=1))  # so the mailbox lists the new link first
    assert (await typo.gql(client, RESEND))["data"]["resendEmailVerification"]["sentTo"] == "mine@example.com"
    await verify_email(client, "mine@example.com")
    assert (await _me(client, typo))["emailVerified"] is True


async def test_an_address_taken_while_its_change_waits_is_not_stolen(client):
    owner = await person(client, "slow@example.com")
    await _change(client, owner, "contested@example.com")
    [token] = await _links(client, "contested@example.com")
    await _signed_up(client, "contested@example.com")  # someone else signs up with it meanwhile
    assert (await _verify(client, token))["userErrors"] == [{"code": "EMAIL_TAKEN"}]
    me = await _me(client, owner)
    assert (me["email"], me["pendingEmail"]) == ("slow@example.com", None)


async def test_an_account_cannot_reach_an_invited_address_by_changing_to_it(client):
    owner = await person(client, "inv-owner@example.com")
    org = await organization(client, owner, "Bersaglio Srl")
    data = {"organizationId": org, "email": "boss@example.com", "role": "ADMIN"}
    invitation = (await owner.gql(client, INVITE, {"input": data}))["data"]["inviteMember"]["invitation"]["id"]

    for verified in (False, True):
        email = f"sneaky-{verified}@example.com".lower()
        sneaky = await _signed_up(client, email)
        [own_link] = await _links(client, email)
        if verified:
            await verify_email(client, email)
        assert (await _change(client, sneaky, "boss@example.com"))["userErrors"] == []
        # The link mailed to its own address cannot prove the invited one; asking for the change spent it.
        assert (await _verify(client, own_link))["userErrors"] == [{"code": "INVALID_TOKEN"}]
        # A resend goes to the invited mailbox, not to the account holder.
        assert (await sneaky.gql(client, RESEND))["data"]["resendEmailVerification"]["sentTo"] == "boss@example.com"
        me = await _me(client, sneaky)
        assert (me["email"], me["emailVerified"]) == (email, verified)
        assert (await sneaky.gql(client, PENDING))["data"]["viewer"]["pendingInvitations"] == []
        stolen = (await sneaky.gql(client, ACCEPT, {"input": {"invitationId": invitation}}))["data"]
        expected = "INVITATION_INVALID" if verified else "EMAIL_NOT_VERIFIED"
        assert [e["code"] for e in stolen["acceptInvitation"]["userErrors"]] == [expected]


async def test_the_invitation_token_proves_the_mailbox_and_the_audit_log_names_who_accepted(client):
    owner = await person(client, "token-owner@example.com")
    org = await organization(client, owner, "Token Srl")
    for email in ("same@example.com", "invited-elsewhere@example.com"):
        data = {"organizationId": org, "email": email, "role": "MEMBER", "rights": ["VIEW_PRODUCTS"]}
        assert (await owner.gql(client, INVITE, {"input": data}))["data"]["inviteMember"]["userErrors"] == []

    # An unverified account opening the link mailed to its own address: it joins, and the address is proven.
    same = await _signed_up(client, "same@example.com")
    token = token_in((await mailbox(client, "same@example.com", "invitation"))[0])
    assert (await same.gql(client, ACCEPT, {"input": {"token": token}}))["data"]["acceptInvitation"]["userErrors"] == []
    assert (await _me(client, same))["emailVerified"] is True

    # A verified account holding a link sent to another address it reads (e.g. an alias): it joins.
    other = await person(client, "personal@example.com")
    token = token_in((await mailbox(client, "invited-elsewhere@example.com", "invitation"))[0])
    accepted = (await other.gql(client, ACCEPT, {"input": {"token": token}}))["data"]["acceptInvitation"]
    assert accepted["userErrors"] == []
    entries = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"]
    accepts = [e["node"] for e in entries if e["node"]["action"] == "invitation.accept"]
    details = {(n["actorEmail"], n["details"]["invitedEmail"], n["details"]["proof"]) for n in accepts}
    assert details == {
        ("same@example.com", "same@example.com", "token"),
        ("personal@example.com", "invited-elsewhere@example.com", "token"),
    }


async def test_an_account_created_from_an_invitation_is_verified(client):
    owner = await person(client, "creator-owner@example.com")
    org = await organization(client, owner)
    data = {"organizationId": org, "email": "fresh@example.com", "role": "MEMBER"}
    await owner.gql(client, INVITE, {"input": data})
    token = token_in((await mailbox(client, "fresh@example.com", "invitation"))[0])
    body = await gql(client, ACCEPT, {"input": {"token": token, "fullName": "Fresh", "password": PASSWORD}})
    client.cookies.clear()
    fresh = Person("fresh@example.com", body["data"]["acceptInvitation"]["sessionToken"])
    assert (await _me(client, fresh))["emailVerified"] is True
    assert await mailbox(client, "fresh@example.com", "email_verification") == []
