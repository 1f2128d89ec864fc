from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import SIGN_UP, VIEWER, gql, mailbox, sign_up


async def test_sign_up_normalises_the_email_and_logs_in_with_a_cookie(client):
    signed = await sign_up(client, "  Ada.Lovelace@EXAMPLE.com ", PASSWORD)
    assert signed["userErrors"] == []
    assert signed["user"]["email"] == "ada.lovelace@example.com"
    assert signed["sessionToken"].startswith("gws_")
    body = await gql(client, VIEWER)  # the cookie jar carries the session
    assert body["data"]["viewer"]["user"]["email"] == "ada.lovelace@example.com"


async def test_sign_up_cookie_is_httponly_and_lax(client):
    response = await client.post(
        "/graphql",
        json={
            "query": "mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }",
            "variables": {"i": {"email": "cookie@example.com", "password": PASSWORD, "fullName": "C"}},
        },
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # development


async def test_production_cookie_is_secure(make_client, production):
    client = await make_client(production)
    response = await client.post(
        "/graphql",
        json={
            "query": "mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }",
            "variables": {"i": {"email": "secure@example.com", "password": PASSWORD, "fullName": "S"}},
        },
    )
    assert "; secure" in response.headers["set-cookie"].lower()


async def test_email_is_unique_case_insensitively(client):
    await sign_up(client, "dup@example.com", PASSWORD)
    again = await sign_up(client, "DUP@Example.COM", PASSWORD)
    assert again["user"] is None
    assert again["sessionToken"] is None
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [("EMAIL_TAKEN", ["input", "email"])]


@pytest.mark.parametrize(
    ("email", "password", "full_name", "code", "field"),
    [
        ("not-an-email", PASSWORD, "Ada", "EMAIL_INVALID", "email"),
        ("ada@example.com", PASSWORD, "   ", "FULL_NAME_REQUIRED", "fullName"),
        ("ada@example.com", "Short1!", "Ada", "PASSWORD_TOO_SHORT", "password"),
        ("ada@example.com", "x9$Kq" * 52, "Ada", "PASSWORD_TOO_LONG", "password"),
        ("ada@example.com", "password1234", "Ada", "PASSWORD_TOO_GUESSABLE", "password"),
        ("ada@example.com", "aaaaaaaaaaaaaaaa", "Ada", "PASSWORD_TOO_GUESSABLE", "password"),
        ("margherita@example.com", "xMargherita-Q7#pz", "Ada", "PASSWORD_CONTAINS_EMAIL", "password"),
    ],
)
async def test_sign_up_rejects_bad_input_and_names_the_rule(client, engine, email, password, full_name, code, field):
    result = await sign_up(client, email, password, full_name)
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, ["input", field])]
    assert result["userErrors"][0]["message"]
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM users")) == 0


async def test_passwords_up_to_256_characters_are_accepted(client):
    result = await sign_up(client, "long@example.com", ("Tr0ub4dor&3-" * 22)[:256])
    assert result["userErrors"] == []


async def test_password_is_stored_as_argon2id(client, engine):
    await sign_up(client, "hash@example.com", PASSWORD)
    async with engine.connect() as conn:
        stored = await conn.scalar(text("SELECT password_hash FROM users"))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_session_tokens_are_stored_hashed(client, engine):
    signed = await sign_up(client, "token@example.com", PASSWORD)
    async with engine.connect() as conn:
        stored = await conn.scalar(text("SELECT token_hash FROM sessions"))
    assert len(stored) == 32
    assert signed["sessionToken"].encode() not in stored


@pytest.mark.parametrize(
    ("accept", "language", "subject_word"), [("en-GB,en;q=0.9", "en", "Confirm"), (None, "it", "Conferma")]
)
async def test_a_new_account_speaks_the_language_it_signed_up_in(client, accept, language, subject_word):
    headers = {"Accept-Language": accept} if accept else {}
    variables = {"input": {"email": "lang@example.com", "password": PASSWORD, "fullName": "Ada"}}
    body = await gql(client, SIGN_UP, variables, headers=headers)
    token = body["data"]["signUp"]["sessionToken"]
    viewer = await gql(client, VIEWER, token=token)
    assert viewer["data"]["viewer"]["user"]["language"] == language
    [mail] = await mailbox(client, "lang@example.com", "email_verification")
    assert subject_word in mail["subject"], mail["subject"]
