from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import VIEWER, gql, log_in, sign_up

LOG_OUT = "mutation { logOut { loggedOut userErrors { code } } }"


async def test_log_in_with_bearer_token(client):
    await sign_up(client, "bearer@example.com", PASSWORD)
    client.cookies.clear()
    result = await log_in(client, "Bearer@Example.com", PASSWORD)
    assert result["userErrors"] == []
    client.cookies.clear()  # prove the token alone is enough
    body = await gql(client, VIEWER, token=result["sessionToken"])
    assert body["data"]["viewer"]["user"]["email"] == "bearer@example.com"


async def test_log_in_with_cookie(client):
    await sign_up(client, "cookie@example.com", PASSWORD)
    client.cookies.clear()
    await log_in(client, "cookie@example.com", PASSWORD)
    body = await gql(client, VIEWER)
    assert body["data"]["viewer"]["user"]["email"] == "cookie@example.com"


async def test_wrong_password_and_unknown_account_answer_alike(client):
    await sign_up(client, "known@example.com", PASSWORD)
    wrong = await log_in(client, "known@example.com", "not the password at all")
    unknown = await log_in(client, "nobody@example.com", PASSWORD)
    assert wrong == unknown
    assert wrong["userErrors"] == [
        {"field": None, "message": wrong["userErrors"][0]["message"], "code": "INVALID_CREDENTIALS"}
    ]
    assert wrong["sessionToken"] is None


async def test_unknown_account_costs_a_password_verification_too(client):
    await sign_up(client, "timing@example.com", PASSWORD)

    async def elapsed(email: str) -> float:
        started = time.perf_counter()
        for _ in range(3):
            await log_in(client, email, "wrong password, surely")
        return time.perf_counter() - started

    wrong_password = await elapsed("timing@example.com")
    unknown_account = await elapsed("ghost@example.com")
    # Without the dummy verification the unknown account answers ~10x faster.
    assert unknown_account > wrong_password * 0.4


async def test_every_log_in_gets_a_new_session_and_ends_the_one_it_replaces(client):
    await sign_up(client, "fixation@example.com", PASSWORD)
    first = client.cookies.get("gateway_session")
    second = (await log_in(client, "fixation@example.com", PASSWORD))["sessionToken"]
    assert second != first
    assert client.cookies.get("gateway_session") == second
    assert (await gql(client, VIEWER, token=first))["_status"] == 401


async def test_ten_failures_lock_the_account_for_fifteen_minutes(client, clock):
    await sign_up(client, "locked@example.com", PASSWORD)
    for _ in range(10):
        assert (await log_in(client, "locked@example.com", "wrong password here"))["userErrors"]
    refused = await log_in(client, "locked@example.com", PASSWORD)
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert refused["sessionToken"] is None
    clock.advance(timedelta(minutes=14))
    assert (await log_in(client, "locked@example.com", PASSWORD))["sessionToken"] is None
    clock.advance(timedelta(minutes=2))
    assert (await log_in(client, "locked@example.com", PASSWORD))["userErrors"] == []


async def test_a_success_resets_the_failure_count(client):
    await sign_up(client, "reset-count@example.com", PASSWORD)
    for _ in range(9):
        await log_in(client, "reset-count@example.com", "wrong password here")
    assert (await log_in(client, "reset-count@example.com", PASSWORD))["userErrors"] == []
    for _ in range(9):
        await log_in(client, "reset-count@example.com", "wrong password here")
    assert (await log_in(client, "reset-count@example.com", PASSWORD))["userErrors"] == []


async def test_log_in_is_throttled_per_ip(make_client, settings, clock):
    strict = replace(settings, ip_attempts_per_minute=3)
    attacker = await make_client(strict, ip="198.51.100.1")
    bystander = await make_client(strict, ip="198.51.100.2")
    for _ in range(3):
        await log_in(attacker, "someone@example.com", "guess guess guess")
    body = await gql(
        attacker,
        'mutation { logIn(input: {email: "someone@example.com", password: "x"}) { sessionToken } }',
    )
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert (await log_in(bystander, "someone@example.com", "guess guess guess"))["userErrors"]
    clock.advance(timedelta(minutes=1))
    assert (await log_in(attacker, "someone@example.com", "guess guess guess"))["userErrors"]


async def test_log_in_rehashes_a_password_hashed_with_weaker_parameters(client, engine, clock):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, email, full_name, password_hash, password_changed_at, created_at, updated_at)"
                " VALUES (:id, 'old@example.com', 'Old', :hash, :now, :now, :now)"
            ),
            {"id": uuid.uuid4(), "hash": weak, "now": clock.now()},
        )
    assert (await log_in(client, "old@example.com", PASSWORD))["userErrors"] == []
    async with engine.connect() as conn:
        stored = await conn.scalar(text("SELECT password_hash FROM users"))
    assert stored != weak
    assert "m=65536" in stored
    assert (await log_in(client, "old@example.com", PASSWORD))["userErrors"] == []


async def test_log_out_ends_the_session_and_clears_the_cookie(client):
    signed = await sign_up(client, "bye@example.com", PASSWORD)
    response = await client.post("/graphql", json={"query": LOG_OUT})
    assert response.json()["data"]["logOut"]["loggedOut"] is True
    assert (
        'gateway_session=""' in response.headers["set-cookie"] or "max-age=0" in response.headers["set-cookie"].lower()
    )
    assert (await gql(client, VIEWER, token=signed["sessionToken"]))["_status"] == 401
    assert (await gql(client, VIEWER))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_viewer_is_unauthenticated(client):
    body = await gql(client, VIEWER)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["path"] == ["viewer"]


async def test_sessions_expire_after_thirty_idle_minutes(client, clock):
    token = (await sign_up(client, "idle@example.com", PASSWORD))["sessionToken"]
    clock.advance(timedelta(minutes=29))
    assert "data" in await gql(client, VIEWER, token=token)
    clock.advance(timedelta(minutes=29))  # activity above kept it alive
    assert (await gql(client, VIEWER, token=token))["_status"] == 200
    clock.advance(timedelta(minutes=31))
    assert (await gql(client, VIEWER, token=token))["_status"] == 401


async def test_sessions_end_after_twelve_hours_even_when_active(client, clock):
    token = (await sign_up(client, "busy@example.com", PASSWORD))["sessionToken"]
    for _ in range(35):  # 35 x 20 minutes = 11h40
        clock.advance(timedelta(minutes=20))
        assert (await gql(client, VIEWER, token=token))["_status"] == 200
    clock.advance(timedelta(minutes=21))
    assert (await gql(client, VIEWER, token=token))["_status"] == 401
