"""Each caller's budget of query cost: a leaky bucket in PostgreSQL that every gateway process shares.

Over budget nothing runs and the answer is HTTP 429 RATE_LIMITED with when to retry, in the body and in
the RateLimit headers; the bucket refills with the (test) clock, and what an answer did not use is refunded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from gateway.settings import Budget, Budgets, Settings, SettingsError
from tests.conftest import SECRET
from tests.graphql import gql
from tests.orgs import person
from tests.outage import database_outage

CREATE = """mutation($name: String!) { createOrganization(input: {name: $name, kind: COMPANY,
  legalName: $name, vatNumber: "IT01114601006", taxCode: "01114601006"}) {
  organization { id name } userErrors { field code } } }"""
CREATE_COST = 12  # 10 + organization 1 + userErrors 1; an answer without userErrors uses 11
RESET = 'mutation { requestPasswordReset(input: {email: "nobody@example.com"}) { requested } }'  # 10
ORGANIZATIONS = "{ viewer { organizations(first: 10) { edges { node { name } } } } }"  # 1 + 2 + 10


def small(settings: Settings, **kinds: Budget) -> Settings:
    return replace(settings, budgets=replace(Budgets(), **kinds))


async def organizations_in_database(engine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM organizations")))


async def test_an_exhausted_budget_is_429_with_when_to_retry_and_nothing_runs(make_client, settings, engine, clock):
    client = await make_client(small(settings, user=Budget(maximum=30, restore_rate=1, max_query=30)))
    owner = await person(client, "owner@example.com")
    first = await client.post("/graphql", json={"query": CREATE, "variables": {"name": "Uno"}}, headers=auth(owner))
    assert first.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 30 - 12 + 1
    assert first.headers["ratelimit"] == '"cost";r=19;t=11'
    assert first.headers["ratelimit-policy"] == '"cost";q=30;w=30'
    assert (await owner.gql(client, CREATE, {"name": "Due"}))["data"]["createOrganization"]["userErrors"] == []

    refused = await client.post("/graphql", json={"query": CREATE, "variables": {"name": "Tre"}}, headers=auth(owner))
    assert refused.status_code == 429
    cost = {
        "requestedQueryCost": CREATE_COST,
        "actualQueryCost": 0,
        "throttleStatus": {"maximumAvailable": 30, "currentlyAvailable": 8, "restoreRate": 1},
    }
    assert refused.json() == {
        "errors": [
            {
                "message": "Questa operazione costa 12 punti e il tuo budget ne ha 8: riprova tra 4 secondi.",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": 4, "cost": cost},
            }
        ],
        "extensions": {"cost": cost},
    }
    assert refused.headers["retry-after"] == "4"
    assert refused.headers["ratelimit-policy"] == '"cost";q=30;w=30'
    assert refused.headers["ratelimit"] == '"cost";r=8;t=4'
    assert (refused.headers["ratelimit-limit"], refused.headers["ratelimit-remaining"]) == ("30", "8")
    assert refused.headers["ratelimit-reset"] == "4"
    assert await organizations_in_database(engine) == 2  # the refused mutation did not run

    clock.advance(timedelta(seconds=3))  # 11 points: still short of 12
    again = await client.post("/graphql", json={"query": CREATE, "variables": {"name": "Tre"}}, headers=auth(owner))
    assert (again.status_code, again.headers["retry-after"]) == (429, "1")
    clock.advance(timedelta(seconds=1))
    restored = await client.post("/graphql", json={"query": CREATE, "variables": {"name": "Tre"}}, headers=auth(owner))
    assert restored.json()["data"]["createOrganization"]["userErrors"] == []
    assert restored.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 12 - 12 + 1
    assert await organizations_in_database(engine) == 3


async def test_the_spec_media_type_gets_the_same_429(make_client, settings):
    client = await make_client(small(settings, anonymous=Budget(maximum=10, restore_rate=1, max_query=10)))
    assert (await gql(client, RESET))["data"]["requestPasswordReset"]["requested"] is True
    response = await client.post(
        "/graphql", json={"query": RESET}, headers={"Accept": "application/graphql-response+json"}
    )
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "data" not in response.json()


async def test_what_an_answer_did_not_use_is_refunded(make_client, settings, engine):
    client = await make_client(small(settings, user=Budget(maximum=100, restore_rate=1, max_query=100)))
    owner = await person(client, "owner@example.com")
    for remaining in (97, 94):  # each asks for 13 and, with no organization, answers 3
        response = await client.post("/graphql", json={"query": ORGANIZATIONS}, headers=auth(owner))
        assert response.json()["extensions"]["cost"] == {
            "requestedQueryCost": 13,
            "actualQueryCost": 3,
            "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": remaining, "restoreRate": 1},
        }
        assert response.headers["ratelimit-remaining"] == str(remaining)
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT available FROM query_cost_buckets WHERE key LIKE 'user:%'")) == 94


async def test_anonymous_callers_are_kept_apart_by_address_and_shared_across_processes(make_client, settings):
    limited = small(settings, anonymous=Budget(maximum=25, restore_rate=1, max_query=25))
    here = await make_client(limited, ip="198.51.100.1")
    elsewhere = await make_client(limited, ip="198.51.100.2")
    here_on_another_process = await make_client(limited, ip="198.51.100.1")
    assert [(await gql(here, RESET))["_status"] for _ in range(3)] == [200, 200, 429]
    assert (await gql(elsewhere, RESET))["_status"] == 200
    shared = await here_on_another_process.post("/graphql", json={"query": RESET})
    assert shared.status_code == 429
    assert shared.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 5


async def test_two_gateway_processes_spend_one_budget(make_client, settings, engine):
    limited = small(settings, user=Budget(maximum=30, restore_rate=1, max_query=30))
    one, two = await make_client(limited), await make_client(limited)
    owner = await person(one, "owner@example.com")
    for name in ("Uno", "Due"):
        assert (await owner.gql(one, CREATE, {"name": name}))["data"]["createOrganization"]["userErrors"] == []
    seen = await two.post("/graphql", json={"query": "{ viewer { user { id } } }"}, headers=auth(owner))  # 2 points
    assert seen.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 30 - 2 * 11 - 2
    assert (await owner.gql(two, CREATE, {"name": "Tre"}))["_status"] == 429
    assert await organizations_in_database(engine) == 2


async def test_a_budget_check_without_the_database_is_503(client, engine):
    async with database_outage(engine):
        response = await client.post("/graphql", json={"query": RESET})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "data" not in response.json()
    assert (await gql(client, RESET))["data"]["requestPasswordReset"]["requested"] is True


async def test_budgets_can_be_switched_off(make_client, settings, engine):
    off = replace(settings, budgets=replace(Budgets(), enabled=False, user=Budget(30, 1, 30)))
    client = await make_client(off)
    owner = await person(client, "owner@example.com")
    for _ in range(4):  # 4 times 13 asked: more than the 30 of a bucket, were there one
        response = await client.post("/graphql", json={"query": ORGANIZATIONS}, headers=auth(owner))
        assert response.json()["extensions"]["cost"] == {"requestedQueryCost": 13, "actualQueryCost": 3}
        assert "ratelimit" not in response.headers
    too_big = await owner.gql(client, "{ viewer { organizations(first: 28) { totalCount } } }")  # 31 > 30
    assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM query_cost_buckets")) == 0


def test_budgets_are_settings(tmp_path):
    env = {"GATEWAY_SECRET_KEY": SECRET, "GATEWAY_DATA_DIR": str(tmp_path)}
    read = Settings.from_env(
        env
        | {
            "GATEWAY_COST_TOKEN_MAXIMUM": "4000",
            "GATEWAY_COST_TOKEN_RESTORE_RATE": "200",
            "GATEWAY_COST_TOKEN_MAX_QUERY": "1000",
            "GATEWAY_COST_BUDGETS": "off",
        }
    )
    assert read.budgets.of("token") == Budget(maximum=4000, restore_rate=200, max_query=1000)
    assert read.budgets.of("user") == Budgets().user
    assert read.budgets.enabled is False
    with pytest.raises(SettingsError, match="MAX_QUERY must not exceed"):
        Settings.from_env(env | {"GATEWAY_COST_STAFF_MAXIMUM": "10", "GATEWAY_COST_STAFF_MAX_QUERY": "11"})
    with pytest.raises(SettingsError, match="must be 'on' or 'off'"):
        Settings.from_env(env | {"GATEWAY_COST_BUDGETS": "maybe"})


def auth(who) -> dict[str, str]:
    return {"Authorization": f"Bearer {who.token}"}
