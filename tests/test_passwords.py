from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import VIEWER, gql, log_in, mailbox, sign_up, verify_email

NEW_PASSWORD = "violet meadow lantern 1987"
CHANGE = """mutation($i: ChangePasswordInput!) {
  changePassword(input: $i) { user { email } userErrors { field code message } } }"""
REQUEST = """mutation($email: String!) {
  requestPasswordReset(input: {email: $email}) { requested userErrors { code } } }"""
RESET = """mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) { passwordReset userErrors { field code } } }"""
RECOVERY = """mutation($email: String, $password: String!) {
  setRecoveryEmail(input: {email: $email, currentPassword: $password}) {
    user { email recoveryEmail } userErrors { field code } } }"""


def reset_token(message: dict) -> str:
    match = re.search(r"token=(gwr_[\w-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)


async def test_change_password_needs_the_current_one(client):
    token = (await sign_up(client, "change@example.com", PASSWORD))["sessionToken"]
    body = await gql(
        client, CHANGE, {"i": {"currentPassword": "wrong wrong wrong", "newPassword": NEW_PASSWORD}}, token=token
    )
    errors = body["data"]["changePassword"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_PASSWORD", ["input", "currentPassword"])]
    assert (await log_in(client, "change@example.com", PASSWORD))["userErrors"] == []


async def test_change_password_applies_the_policy(client):
    token = (await sign_up(client, "policy@example.com", PASSWORD))["sessionToken"]
    body = await gql(client, CHANGE, {"i": {"currentPassword": PASSWORD, "newPassword": "qwerty123456"}}, token=token)
    assert [e["code"] for e in body["data"]["changePassword"]["userErrors"]] == ["PASSWORD_TOO_GUESSABLE"]


async def test_change_password_ends_the_other_sessions_only(client):
    await sign_up(client, "sessions@example.com", PASSWORD)
    client.cookies.clear()
    laptop = (await log_in(client, "sessions@example.com", PASSWORD))["sessionToken"]
    client.cookies.clear()
    phone = (await log_in(client, "sessions@example.com", PASSWORD))["sessionToken"]
    client.cookies.clear()
    body = await gql(client, CHANGE, {"i": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}, token=laptop)
    assert body["data"]["changePassword"]["userErrors"] == []
    assert (await gql(client, VIEWER, token=laptop))["_status"] == 200
    assert (await gql(client, VIEWER, token=phone))["_status"] == 401
    assert (await log_in(client, "sessions@example.com", PASSWORD))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await log_in(client, "sessions@example.com", NEW_PASSWORD))["userErrors"] == []
    notices = await mailbox(client, "sessions@example.com")
    assert [m["kind"] for m in notices if m["kind"] != "email_verification"] == ["password_changed"]


async def test_password_reset_answers_the_same_for_unknown_accounts(client):
    await sign_up(client, "exists@example.com", PASSWORD)
    known = await gql(client, REQUEST, {"email": "exists@example.com"})
    unknown = await gql(client, REQUEST, {"email": "missing@example.com"})
    assert known["data"] == unknown["data"] == {"requestPasswordReset": {"requested": True, "userErrors": []}}
    assert len(await mailbox(client, "exists@example.com", "password_reset")) == 1
    assert await mailbox(client, "missing@example.com") == []


async def test_reset_link_goes_to_the_recovery_email_when_set(client):
    await sign_up(client, "main@example.com", PASSWORD)
    await verify_email(client, "main@example.com")  # unverified accounts' resets go to the login email
    await gql(client, RECOVERY, {"email": "backup@example.org", "password": PASSWORD})
    await gql(client, REQUEST, {"email": "main@example.com"})
    sent = [m for m in await mailbox(client, "backup@example.org") if m["kind"] == "password_reset"]
    assert len(sent) == 1
    assert not [m for m in await mailbox(client, "main@example.com") if m["kind"] == "password_reset"]


async def test_reset_password_through_the_mailbox_ends_every_session(client, engine):
    token = (await sign_up(client, "forgot@example.com", PASSWORD))["sessionToken"]
    await gql(client, REQUEST, {"email": "Forgot@Example.com"})
    reset = reset_token((await mailbox(client, "forgot@example.com", "password_reset"))[0])
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT token_hash FROM password_reset_tokens"))).scalars().all()
    assert len(stored) == 1 and reset.encode() not in stored[0]

    body = await gql(client, RESET, {"token": reset, "password": NEW_PASSWORD})
    assert body["data"]["resetPassword"] == {"passwordReset": True, "userErrors": []}
    assert (await gql(client, VIEWER, token=token))["_status"] == 401
    assert (await log_in(client, "forgot@example.com", NEW_PASSWORD))["userErrors"] == []

    again = await gql(client, RESET, {"token": reset, "password": "another fine password 77"})
    assert again["data"]["resetPassword"]["userErrors"] == [{"field": ["input", "token"], "code": "INVALID_TOKEN"}]


async def test_reset_token_expires_after_an_hour(client, clock):
    await sign_up(client, "late@example.com", PASSWORD)
    await gql(client, REQUEST, {"email": "late@example.com"})
    reset = reset_token((await mailbox(client, "late@example.com", "password_reset"))[0])
    clock.advance(timedelta(minutes=61))
    body = await gql(client, RESET, {"token": reset, "password": NEW_PASSWORD})
    assert body["data"]["resetPassword"]["userErrors"][0]["code"] == "INVALID_TOKEN"
    assert (await log_in(client, "late@example.com", PASSWORD))["userErrors"] == []


async def test_reset_applies_the_password_policy_and_keeps_the_token_usable(client):
    await sign_up(client, "weak@example.com", PASSWORD)
    await gql(client, REQUEST, {"email": "weak@example.com"})
    reset = reset_token((await mailbox(client, "weak@example.com", "password_reset"))[0])
    weak = await gql(client, RESET, {"token": reset, "password": "short"})
    assert weak["data"]["resetPassword"]["userErrors"][0]["code"] == "PASSWORD_TOO_SHORT"
    ok = await gql(client, RESET, {"token": reset, "password": NEW_PASSWORD})
    assert ok["data"]["resetPassword"]["passwordReset"] is True


async def test_using_one_reset_link_spends_the_others(client):
    await sign_up(client, "twice@example.com", PASSWORD)
    await gql(client, REQUEST, {"email": "twice@example.com"})
    await gql(client, REQUEST, {"email": "twice@example.com"})
    older, newer = [reset_token(m) for m in reversed(await mailbox(client, "twice@example.com", "password_reset"))]
    assert (await gql(client, RESET, {"token": newer, "password": NEW_PASSWORD}))["data"]["resetPassword"][
        "passwordReset"
    ]
    stale = await gql(client, RESET, {"token": older, "password": "yet another good password 5"})
    assert stale["data"]["resetPassword"]["userErrors"][0]["code"] == "INVALID_TOKEN"


async def test_reset_mails_per_account_are_capped(client):
    await sign_up(client, "flood@example.com", PASSWORD)
    for _ in range(5):
        body = await gql(client, REQUEST, {"email": "flood@example.com"})
        assert body["data"]["requestPasswordReset"]["requested"] is True
    assert len(await mailbox(client, "flood@example.com", "password_reset")) == 3


async def test_recovery_email_rules(client):
    await sign_up(client, "owner@example.com", PASSWORD)
    wrong = await gql(client, RECOVERY, {"email": "r@example.org", "password": "nope nope nope"})
    assert wrong["data"]["setRecoveryEmail"]["userErrors"][0]["code"] == "INVALID_PASSWORD"
    same = await gql(client, RECOVERY, {"email": "OWNER@example.com", "password": PASSWORD})
    assert same["data"]["setRecoveryEmail"]["userErrors"] == [
        {"field": ["input", "email"], "code": "SAME_AS_LOGIN_EMAIL"}
    ]
    invalid = await gql(client, RECOVERY, {"email": "not an address", "password": PASSWORD})
    assert invalid["data"]["setRecoveryEmail"]["userErrors"][0]["code"] == "EMAIL_INVALID"

    ok = await gql(client, RECOVERY, {"email": "Rescue@Example.org", "password": PASSWORD})
    assert ok["data"]["setRecoveryEmail"]["user"] == {
        "email": "owner@example.com",
        "recoveryEmail": "rescue@example.org",
    }
    sent = await mailbox(client, "owner@example.com")
    assert [m["kind"] for m in sent if m["kind"] != "email_verification"] == ["recovery_email_changed"]

    cleared = await gql(client, RECOVERY, {"email": None, "password": PASSWORD})
    assert cleared["data"]["setRecoveryEmail"]["user"]["recoveryEmail"] is None
    # The address being replaced is told too.
    assert len(await mailbox(client, "rescue@example.org")) == 1


async def test_update_profile(client):
    await sign_up(client, "profile@example.com", PASSWORD, "Ada")
    update = """mutation($i: UpdateProfileInput!) {
      updateProfile(input: $i) { user { fullName language } userErrors { field code } } }"""
    ok = await gql(client, update, {"i": {"fullName": "  Ada King  ", "language": "en"}})
    assert ok["data"]["updateProfile"] == {"user": {"fullName": "Ada King", "language": "en"}, "userErrors": []}
    bad = await gql(client, update, {"i": {"fullName": "", "language": "xx"}})
    assert bad["data"]["updateProfile"]["userErrors"] == [
        {"field": ["input", "fullName"], "code": "FULL_NAME_REQUIRED"}
    ]
    bad_language = await gql(client, update, {"i": {"language": "xx"}})
    assert bad_language["data"]["updateProfile"]["userErrors"][0]["code"] == "LANGUAGE_UNSUPPORTED"
    assert (await gql(client, VIEWER))["data"]["viewer"]["user"]["fullName"] == "Ada King"
