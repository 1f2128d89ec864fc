"""What /graphql accepts: JSON over POST only, bounded documents and bodies, no hints about the schema."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest
from graphql import get_introspection_query

from gateway.settings import Limits
from tests.conftest import PASSWORD
from tests.graphql import answer_of, sign_up

LOG_OUT = "mutation { logOut { loggedOut } }"
VIEWER_EMAIL = "{ viewer { user { email } } }"
MIB = 1024 * 1024
INVALID = "GRAPHQL_VALIDATION_FAILED"


async def post(
    client: httpx.AsyncClient, query: str, *, token: str | None = None, variables: dict[str, Any] | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def token_of_new_user(client: httpx.AsyncClient) -> str:
    return (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]


async def still_logged_in(client: httpx.AsyncClient, token: str) -> bool:
    """The refused requests below all carry `logOut`; the session surviving proves it did not run."""
    body = (await post(client, VIEWER_EMAIL, token=token)).json()
    return answer_of(body) == {"data": {"viewer": {"user": {"email": "ada@example.com"}}}}


def refusal(response: httpx.Response, status: int = 400, code: str = "BAD_REQUEST") -> str:
    """The message of a request refused before execution, after checking its status and code."""
    assert response.status_code == status
    [error] = response.json()["errors"]
    assert "data" not in response.json()
    assert error["extensions"] == {"code": code, "requestId": response.headers["x-request-id"]}
    return error["message"]


def limit_errors(response: httpx.Response, code: str = "GRAPHQL_VALIDATION_FAILED") -> list[str]:
    """The messages of a document refused before execution: nothing ran, every error is the caller's."""
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {code}
    return [e["message"] for e in body["errors"]]


def nested(depth: int) -> str:
    return "{ " + "a { " * (depth - 1) + "a" + " }" * (depth - 1) + " }"


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
async def test_post_with_json_runs_the_operation(client, content_type):
    body = orjson.dumps({"query": "{ __typename }"})
    response = await client.post("/graphql", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200
    assert answer_of(response.json()) == {"data": {"__typename": "Query"}}


# The content types a page on another site can POST without a CORS preflight.
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_post_without_json_content_type_is_refused_unexecuted(client, content_type):
    token = await token_of_new_user(client)
    response = await client.post(
        "/graphql",
        content=orjson.dumps({"query": LOG_OUT}),
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    assert refusal(response) == "Unsupported content type"
    assert await still_logged_in(client, token)


async def test_batched_operations_are_refused_unexecuted(client):
    token = await token_of_new_user(client)
    response = await client.post(
        "/graphql", json=[{"query": LOG_OUT}, {"query": LOG_OUT}], headers={"Authorization": f"Bearer {token}"}
    )
    assert refusal(response) == "Batching is not enabled"
    assert await still_logged_in(client, token)


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [(LOG_OUT, 405, "METHOD_NOT_ALLOWED"), ("{ __typename }", 400, "PERSISTED_QUERY_REQUIRED")],
)
async def test_get_runs_no_mutation_and_no_document_it_does_not_know(client, query, status, code):
    token = await token_of_new_user(client)
    response = await client.get("/graphql", params={"query": query}, headers={"Authorization": f"Bearer {token}"})
    assert refusal(response, status, code)
    assert await still_logged_in(client, token)


async def test_graphiql_is_served_in_development_only(client, make_client, production):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "GraphiQL" in page.text

    missing = await (await make_client(production)).get("/graphql", headers={"Accept": "text/html"})
    assert refusal(missing, 404, "NOT_FOUND") == "Not Found"


@pytest.mark.parametrize(("depth", "refused"), [(11, False), (12, True)])
async def test_documents_deeper_than_ten_are_refused(client, depth, refused):
    # The identity schema is three fields deep, so a document past the limit cannot also be valid:
    # the depth error has to stand beside the unknown-field one.
    messages = limit_errors(await post(client, nested(depth)))
    assert ("'anonymous' exceeds maximum operation depth of 10" in messages) is refused
    assert "Cannot query field 'a' on type 'Query'." in messages


async def test_introspection_fan_out_is_refused(client):
    # The depth limit skips introspection (GraphiQL's own query is 13 fields deep); what makes
    # introspection expensive is lists of types inside lists of types, and that is capped instead.
    token = await token_of_new_user(client)
    query = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
    assert limit_errors(await post(client, query, token=token)) == ["Maximum introspection depth exceeded"]


async def test_more_than_fifteen_aliases_are_refused_unexecuted(client):
    token = await token_of_new_user(client)
    fifteen = "{ " + " ".join(f"a{i}: __typename" for i in range(15)) + " }"
    assert (await post(client, fifteen)).json()["data"] == {f"a{i}": "Query" for i in range(15)}

    sixteen = "mutation { " + " ".join(f"a{i}: logOut {{ loggedOut }}" for i in range(16)) + " }"
    assert limit_errors(await post(client, sixteen, token=token)) == ["16 aliases found. Allowed: 15"]
    assert await still_logged_in(client, token)


async def test_more_than_2000_tokens_are_refused_unexecuted(client):
    token = await token_of_new_user(client)
    # `mutation { logOut { loggedOut }` and the closing brace are 7 tokens.
    query = "mutation { logOut { loggedOut } " + "__typename " * 1994 + "}"
    messages = limit_errors(await post(client, query, token=token), "GRAPHQL_PARSE_FAILED")
    assert messages == ["Syntax Error: Document contains more than 2000 tokens. Parsing aborted."]
    assert await still_logged_in(client, token)


def padded_body(query: str, size: int) -> bytes:
    """A JSON request for `query` of exactly `size` bytes."""
    empty = orjson.dumps({"query": query, "padding": ""})
    return orjson.dumps({"query": query, "padding": " " * (size - len(empty))})


async def test_body_of_exactly_the_limit_is_read(client):
    body = padded_body("{ __typename }", MIB)
    assert len(body) == MIB
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert answer_of(response.json()) == {"data": {"__typename": "Query"}}


async def test_body_over_the_limit_is_refused_by_its_length(client):
    token = await token_of_new_user(client)
    response = await client.post(
        "/graphql",
        content=padded_body(LOG_OUT, MIB + 1),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert response.request.headers["content-length"] == str(MIB + 1)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await still_logged_in(client, token)


async def test_streamed_body_over_the_limit_is_refused_while_reading(client):
    token = await token_of_new_user(client)
    body = padded_body(LOG_OUT, 2 * MIB)

    async def chunks():
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["errors"][0] == {
        "message": f"The request body is larger than {MIB} bytes.",
        "extensions": {"code": "PAYLOAD_TOO_LARGE", "requestId": response.headers["x-request-id"]},
    }
    assert await still_logged_in(client, token)


@pytest.mark.parametrize(
    ("query", "message", "code"),
    [
        ("{ viewer { user { id } } }", "'anonymous' exceeds maximum operation depth of 1", "GRAPHQL_VALIDATION_FAILED"),
        ("{ a: __typename b: __typename c: __typename }", "3 aliases found. Allowed: 2", "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ " + "__typename " * 29 + "}",
            "Syntax Error: Document contains more than 30 tokens. Parsing aborted.",
            "GRAPHQL_PARSE_FAILED",
        ),
    ],
)
async def test_document_limits_come_from_settings(client, make_client, settings, query, message, code):
    small = await make_client(replace(settings, limits=Limits(max_depth=1, max_aliases=2, max_tokens=30)))
    token = await token_of_new_user(client)
    assert "errors" not in (await post(client, query, token=token)).json()
    assert limit_errors(await post(small, query, token=token), code) == [message]


async def test_body_limit_comes_from_settings(client, make_client, settings):
    small = await make_client(replace(settings, limits=Limits(max_body_bytes=512)))
    body = padded_body("{ __typename }", 513)
    headers = {"Content-Type": "application/json"}
    assert (await client.post("/graphql", content=body, headers=headers)).status_code == 200
    response = await small.post("/graphql", content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == "The request body is larger than 512 bytes."


# Production hides the schema from anonymous callers; a suggestion would give its names away.
@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ viewr { user { id } } }", None, INVALID),
        ('mutation { logIn(inpt: {email: "a@b.c", password: "x"}) { sessionToken } }', None, INVALID),
        ('mutation { logIn(input: {emial: "a@b.c", password: "x"}) { sessionToken } }', None, INVALID),
        ("mutation($input: LogInInpt!) { logIn(input: $input) { sessionToken } }", None, INVALID),
        (
            "mutation($input: LogInInput!) { logIn(input: $input) { sessionToken } }",
            {"input": {"emial": "a@b.c", "password": "x"}},
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_errors_suggest_no_names(make_client, production, query, variables, code):
    response = await post(await make_client(production), query, variables=variables)
    messages = limit_errors(response, code)
    assert messages
    assert not [m for m in messages if "Did you mean" in m]


@pytest.mark.parametrize(
    ("environment", "logged_in", "allowed"),
    [("production", False, False), ("settings", False, True), ("production", True, True)],
)
async def test_introspection_needs_a_login_in_production(make_client, request, environment, logged_in, allowed):
    client = await make_client(request.getfixturevalue(environment))
    token = await token_of_new_user(client) if logged_in else None
    body = (await post(client, "{ __schema { queryType { name } } }", token=token)).json()
    if allowed:
        assert answer_of(body) == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    else:
        assert body["data"] is None
        assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
            ("Introspection is available to logged-in callers only.", "UNAUTHENTICATED")
        ]


async def test_anonymous_type_lookup_is_refused_in_production_but_typename_is_not(make_client, production):
    client = await make_client(production)
    body = (await post(client, '{ __type(name: "User") { name } }')).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert answer_of((await post(client, "{ __typename }")).json()) == {"data": {"__typename": "Query"}}


async def test_tools_can_introspect_the_whole_schema_when_logged_in(make_client, production):
    client = await make_client(production)
    token = await token_of_new_user(client)
    body = (await post(client, get_introspection_query(descriptions=True), token=token)).json()
    assert "errors" not in body
    assert {"Query", "Mutation", "User"} <= {t["name"] for t in body["data"]["__schema"]["types"]}
