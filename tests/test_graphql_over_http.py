"""GraphQL over HTTP and Apollo's conventions: the spec's media type on every answer, Apollo's error codes."""

from __future__ import annotations

from dataclasses import replace

import httpx
import orjson
import pytest

from gateway.settings import Limits
from tests.conftest import PASSWORD
from tests.graphql import sign_up

GRAPHQL_RESPONSE = "application/graphql-response+json"
SPEC = {"Accept": GRAPHQL_RESPONSE}
VIEWER_ID = "{ viewer { user { id } } }"


async def post(client: httpx.AsyncClient, body: object, **headers: str) -> httpx.Response:
    all_headers = {"Content-Type": "application/json", **headers}
    return await client.post("/graphql", content=orjson.dumps(body), headers=all_headers)


def code_of(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    return error["extensions"]["code"]


async def test_refusals_use_the_media_type_the_client_asked_for(client, make_client, settings):
    token = (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]
    small = await make_client(replace(settings, limits=Limits(max_body_bytes=64)))
    cases = {
        401: await post(client, {"query": VIEWER_ID}, Authorization="Bearer gws_nope", **SPEC),
        403: await post(client, {"query": VIEWER_ID}, **{"Sec-Fetch-Site": "cross-site"}, **SPEC),
        413: await post(small, {"query": VIEWER_ID, "padding": "x" * 100}, **SPEC),
        400: await post(client, "not an object", **SPEC),
    }
    for status, response in cases.items():
        assert (response.status_code, response.headers["content-type"]) == (status, GRAPHQL_RESPONSE), status
        assert response.json()["errors"][0]["extensions"]["requestId"] == response.headers["x-request-id"]
    assert token
    # Without the Accept header, the same refusals stay application/json.
    plain = await post(client, {"query": VIEWER_ID}, Authorization="Bearer gws_nope")
    assert (plain.status_code, plain.headers["content-type"]) == (401, "application/json")


@pytest.mark.parametrize("accept", [{}, SPEC])
async def test_an_unknown_persisted_query_is_answered_the_way_apollo_says_it(client, accept):
    digest = "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"
    response = await post(client, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}, **accept)
    # 200 whatever the media type: Apollo's link and urql's exchange read the code and send the text.
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        pytest.param("{ viewer { user { id } }", None, "GRAPHQL_PARSE_FAILED", id="syntax"),
        pytest.param("{ viewer { usr { id } } }", None, "GRAPHQL_VALIDATION_FAILED", id="unknown-field"),
        pytest.param("query($x: Int) { __typename }", None, "GRAPHQL_VALIDATION_FAILED", id="unused-variable"),
        pytest.param("query($n: String!) { __type(name: $n) { name } }", {}, "BAD_USER_INPUT", id="missing-variable"),
        pytest.param(
            "query($n: String!) { __type(name: $n) { name } }", {"n": 5}, "BAD_USER_INPUT", id="variable-wrong-type"
        ),
        pytest.param(
            "mutation($i: LogInInput!) { logIn(input: $i) { sessionToken } }",
            {"i": {"email": "a@b.c"}},
            "BAD_USER_INPUT",
            id="input-missing-field",
        ),
    ],
)
async def test_request_errors_carry_apollo_codes(client, query, variables, code):
    response = await post(client, {"query": query, "variables": variables})
    assert code_of(response) == code
    spec = await post(client, {"query": query, "variables": variables}, **SPEC)
    assert (spec.status_code, spec.headers["content-type"], code_of(spec)) == (400, GRAPHQL_RESPONSE, code)


async def test_an_unknown_operation_name_is_an_operation_resolution_failure(client):
    response = await post(client, {"query": "query A { __typename }", "operationName": "B"})
    assert response.status_code == 400
    assert code_of(response) == "OPERATION_RESOLUTION_FAILURE"
