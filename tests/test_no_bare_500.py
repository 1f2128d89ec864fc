"""Every failure, the server's included, answers coded JSON with the request id and the security headers."""

from __future__ import annotations

import logging
import uuid

import httpx
import orjson
import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import sign_up
from tests.outage import database_outage

GRAPHQL_RESPONSE = "application/graphql-response+json"
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
VIEWER_ID = "{ viewer { user { id } } }"


def assert_coded(response: httpx.Response, status: int, code: str, media_type: str = "application/json") -> dict:
    """A coded JSON answer that looks like every other one: request id, security headers."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert response.headers["cache-control"] == "no-store"
    request_id = response.headers["x-request-id"]
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    if status >= 400:
        assert error["extensions"]["requestId"] == request_id
    return error


async def raw_post(client: httpx.AsyncClient, body: bytes, **headers: str) -> httpx.Response:
    return await client.post("/graphql", content=body, headers={"Content-Type": "application/json", **headers})


async def token_of_new_user(client: httpx.AsyncClient) -> str:
    return (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]


async def test_a_failing_branch_does_not_cancel_the_loader_another_branch_waits_on(client):
    token = await token_of_new_user(client)
    query = "{ a: viewer { user { id } organizations(first: -1) { edges { cursor } } } b: viewer { user { id } } }"
    response = await client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.json()
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["a", "organizations"], "BAD_USER_INPUT")
    # `viewer` and its connection are non-null, so the error nulls `data`; the point is a coded answer, not a 500.
    assert body["data"] is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'"{ __typename }"', id="string"),
        pytest.param(b"42", id="number"),
        pytest.param(b"null", id="null"),
        pytest.param(b'{"query": "{ __typename }"', id="truncated"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"query": "{ __typename \xff }"}', id="invalid-utf8"),
        pytest.param(b'{"query": "{ __typename }", "variables": ' + b"[" * 5000 + b"]" * 5000 + b"}", id="deep"),
        pytest.param(b"[" * 100_000, id="deep-unclosed"),
        pytest.param(b'{"query": 5}', id="query-not-a-string"),
        pytest.param(b'{"query": "{ __typename }", "variables": [1]}', id="variables-not-an-object"),
        pytest.param(b'{"query": "{ __typename }", "operationName": 4}', id="operation-name-not-a-string"),
        pytest.param(b'{"query": "{ __typename }", "extensions": "x"}', id="extensions-not-an-object"),
        pytest.param(b'{"variables": {}}', id="no-query"),
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_bad_user_input(client, body):
    error = assert_coded(await raw_post(client, body), 400, "BAD_USER_INPUT")
    assert "Traceback" not in error["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param("query($n: String!) { __type(name: $n) { name } }", {"n": "User\u0000"}, id="variable"),
        pytest.param("query($i: LogInInput!) { __typename }", {"i": {"email": "a\u0000@b.c"}}, id="nested-variable"),
        pytest.param('{ __type(name: "User\\u0000") { name } }', {}, id="literal"),
        pytest.param('query($n: String = "a\\u0000") { __type(name: $n) { name } }', {}, id="default-value"),
    ],
)
async def test_a_nul_character_in_any_string_is_bad_user_input(client, query, variables):
    body = orjson.dumps({"query": query, "variables": variables})
    response = await raw_post(client, body)
    assert response.status_code in (200, 400)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "Text may not contain NUL characters (\\u0000)."


async def test_a_nul_character_reaches_no_sql_in_a_mutation(client):
    mutation = 'mutation { logIn(input: {email: "ada\\u0000@example.com", password: "x"}) { sessionToken } }'
    response = await raw_post(client, orjson.dumps({"query": mutation}))
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert response.json()["data"] is None


async def test_database_down_during_the_bearer_token_lookup_is_503(client, engine, caplog):
    token = await token_of_new_user(client)
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        async with database_outage(engine):
            response = await client.post(
                "/graphql", json={"query": VIEWER_ID}, headers={"Authorization": f"Bearer {token}"}
            )
            spec = await client.post(
                "/graphql",
                json={"query": VIEWER_ID},
                headers={"Authorization": f"Bearer {token}", "Accept": GRAPHQL_RESPONSE},
            )
    error = assert_coded(response, 503, "SERVICE_UNAVAILABLE")
    assert error["message"] == "The service is briefly unavailable; retry in a few seconds."
    assert response.headers["retry-after"] == "5"
    assert_coded(spec, 503, "SERVICE_UNAVAILABLE", GRAPHQL_RESPONSE)
    logged = next(r for r in caplog.records if r.name == "gateway.errors")
    assert logged.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    # And once the database is back, the same token works again.
    after = await client.post("/graphql", json={"query": VIEWER_ID}, headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 200
    assert after.json()["data"]["viewer"]["user"]["id"]


async def test_an_unexpected_error_outside_graphql_is_a_coded_500(client, engine, caplog):
    token = await token_of_new_user(client)
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE invoices RENAME TO invoices_broken"))
    try:
        with caplog.at_level(logging.ERROR, logger="gateway.errors"):
            response = await client.get(f"/invoices/{uuid.uuid4()}.pdf", headers={"Authorization": f"Bearer {token}"})
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE invoices_broken RENAME TO invoices"))
    error = assert_coded(response, 500, "INTERNAL")
    assert error["message"] == "Unexpected error."
    for leak in ("SELECT", "invoices_broken", "Traceback", ".py"):
        assert leak not in response.text
    [record] = [r for r in caplog.records if r.name == "gateway.errors"]
    assert record.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert record.exc_info is not None
