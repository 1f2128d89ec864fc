"""What callers get back: refusals of ambient credentials, coded and masked errors, request ids, headers, health."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gateway.db.migrate import head_revision
from tests.conftest import PASSWORD
from tests.graphql import answer_of, sign_up

VIEWER_EMAIL = "{ viewer { user { email } } }"
ADA = {"data": {"viewer": {"user": {"email": "ada@example.com"}}}}
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
GRAPHQL_RESPONSE = "application/graphql-response+json"
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"


async def post(
    client: httpx.AsyncClient, query: str, *, token: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    all_headers = {"Authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    return await client.post("/graphql", json={"query": query}, headers=all_headers)


async def token_of_new_user(client: httpx.AsyncClient) -> str:
    return (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]


def only_error(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    return error


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        pytest.param({}, True, id="program"),
        pytest.param({"Sec-Fetch-Site": "same-origin"}, True, id="same-origin"),
        pytest.param({"Sec-Fetch-Site": "none"}, True, id="typed-in"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, False, id="cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site"}, False, id="same-site"),
        pytest.param({"Origin": "http://testserver"}, True, id="own-origin"),
        pytest.param({"Origin": "https://evil.example"}, False, id="other-origin"),
        pytest.param({"Origin": "https://app.example.net", "Sec-Fetch-Site": "cross-site"}, True, id="allowed-origin"),
    ],
)
async def test_session_cookie_is_refused_on_cross_site_requests(client, headers, allowed):
    await token_of_new_user(client)
    assert client.cookies.get("gateway_session")
    response = await post(client, VIEWER_EMAIL, headers=headers)
    if allowed:
        assert response.status_code == 200
        assert answer_of(response.json()) == ADA
    else:
        assert response.status_code == 403
        assert response.json() == {
            "errors": [
                {
                    "message": "Le richieste da altri siti non possono usare il cookie di sessione.",
                    "extensions": {"code": "FORBIDDEN", "requestId": response.headers["x-request-id"]},
                }
            ]
        }


async def test_cross_site_mutation_with_the_cookie_does_not_run(client):
    await token_of_new_user(client)
    refused = await post(client, "mutation { logOut { loggedOut } }", headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert (await post(client, VIEWER_EMAIL, headers={"Sec-Fetch-Site": "same-origin"})).json()["data"] == ADA["data"]


async def test_bearer_token_works_cross_site(client):
    token = await token_of_new_user(client)
    client.cookies.clear()
    response = await post(
        client, VIEWER_EMAIL, token=token, headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert answer_of(response.json()) == ADA


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("Bearer gws_not-a-real-token", "Il token non è valido o è scaduto."),
        ("Bearer not-our-format", "Il token non è valido o è scaduto."),
        ("Basic YWRhOnNlY3JldA==", "L'intestazione Authorization deve essere `Bearer <token>`."),
        ("Bearer", "L'intestazione Authorization deve essere `Bearer <token>`."),
        ("gws_token-without-a-scheme", "L'intestazione Authorization deve essere `Bearer <token>`."),
    ],
)
async def test_bad_authorization_is_401(client, authorization, message):
    response = await post(client, VIEWER_EMAIL, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert only_error(response) == {
        "message": message,
        "extensions": {"code": "UNAUTHENTICATED", "requestId": response.headers["x-request-id"]},
    }


async def test_anonymous_viewer_is_unauthenticated(client):
    response = await post(client, VIEWER_EMAIL)
    assert response.status_code == 200
    assert response.json()["data"] is None
    error = only_error(response)
    assert (error["message"], error["path"], error["extensions"]) == (
        "Devi accedere.",
        ["viewer"],
        {"code": "UNAUTHENTICATED"},
    )


async def test_unexpected_failure_is_masked_and_logged_with_the_request_id(client, engine, caplog):
    token = await token_of_new_user(client)
    async with engine.begin() as conn:
        await conn.execute(
            text("ALTER TABLE users RENAME COLUMN email TO email_broken")
        )  # the session lookup still works
    try:
        with caplog.at_level(logging.ERROR, logger="gateway.graphql"):
            response = await post(client, VIEWER_EMAIL, token=token)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE users RENAME COLUMN email_broken TO email"))

    request_id = response.headers["x-request-id"]
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"user": None}}  # the failed field only (null for a token)
    error = only_error(response)
    assert (error["message"], error["path"], error["extensions"]) == (
        "Errore imprevisto.",
        ["viewer", "user"],
        {"code": "INTERNAL", "requestId": request_id},
    )
    for leak in ("SELECT", "users_broken", "Traceback", "/work", ".py"):
        assert leak not in response.text
    [record] = [r for r in caplog.records if r.name == "gateway.graphql"]
    assert record.request_id == request_id  # type: ignore[attr-defined]
    assert record.exc_info is not None


@pytest.mark.parametrize(
    ("accept", "query", "status", "content_type", "code"),
    [
        ("application/json", "{ viewr { user { id } } }", 200, "application/json", "GRAPHQL_VALIDATION_FAILED"),
        (GRAPHQL_RESPONSE, "{ viewr { user { id } } }", 400, GRAPHQL_RESPONSE, "GRAPHQL_VALIDATION_FAILED"),
        (GRAPHQL_RESPONSE, "{ viewer { user { id } }", 400, GRAPHQL_RESPONSE, "GRAPHQL_PARSE_FAILED"),
        # Execution started, so the error has a path and the status stays 200 with `data`.
        (GRAPHQL_RESPONSE, VIEWER_EMAIL, 200, GRAPHQL_RESPONSE, "UNAUTHENTICATED"),
    ],
)
async def test_request_errors_are_400_for_graphql_response_json(client, accept, query, status, content_type, code):
    response = await post(client, query, headers={"Accept": accept})
    assert response.status_code == status
    assert response.headers["content-type"] == content_type
    body = response.json()
    assert ("data" in body) is (status == 200)
    assert only_error(response)["extensions"]["code"] == code
    assert only_error(response)["locations"]  # a syntax error too, though it has no nodes to point at


@pytest.mark.parametrize(
    ("method", "path", "options", "status"),
    [
        ("GET", "/healthz", {}, 200),
        ("POST", "/graphql", {"json": {"query": "{ __typename }"}}, 200),
        ("GET", "/graphql", {"params": {"query": "{ __typename }"}}, 400),
        ("GET", "/no-such-page", {}, 404),
        ("PUT", "/graphql", {"json": {"query": "{ __typename }"}}, 405),
        ("POST", "/graphql", {"content": b"x" * (2 * 1024 * 1024), "headers": {"Content-Type": "text/plain"}}, 413),
    ],
)
async def test_every_response_has_a_request_id(client, method, path, options, status):
    response = await client.request(method, path, **options)
    assert response.status_code == status
    assert GENERATED_ID.match(response.headers["x-request-id"])


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc12345-test", True),
        ("x\nforged", False),
        ("short", False),
        ("a" * 65, False),
        ("abc12345 forged", False),
    ],
)
async def test_incoming_request_id_is_kept_only_when_plain(client, incoming, kept):
    response = await post(client, "{ viewr }", headers={"X-Request-Id": incoming})
    request_id = response.headers["x-request-id"]
    if kept:
        assert request_id == incoming
    else:
        assert GENERATED_ID.match(request_id)
    assert only_error(response)["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(("environment", "hsts"), [("settings", False), ("production", True)])
async def test_graphql_responses_carry_security_headers(make_client, request, environment, hsts):
    client = await make_client(request.getfixturevalue(environment))
    response = await post(client, "{ __typename }")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert response.headers["cache-control"] == "no-store"
    assert ("strict-transport-security" in response.headers) is hsts


async def test_healthz_answers_without_the_database(client):
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_needs_the_schema_at_head(client, engine):
    head = head_revision()
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "database": "ok", "migrations": {"current": head, "head": head}},
    )

    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    try:
        behind = await client.get("/readyz")
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert (behind.status_code, behind.json()) == (
        503,
        {"status": "unavailable", "database": "ok", "migrations": {"current": "old", "head": head}},
    )


async def test_dev_mailbox_exists_in_development_only(client, make_client, production):
    mailbox = await client.get("/dev/mailbox")
    assert (mailbox.status_code, mailbox.json()) == (200, {"messages": []})
    assert (await (await make_client(production)).get("/dev/mailbox")).status_code == 404


async def test_refusals_carry_the_headers_http_requires(client):
    unauthorized = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer x"}
    )
    assert unauthorized.status_code == 401
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    not_allowed = await client.put("/graphql", json={"query": "{ __typename }"})
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET, POST"
    too_large = await client.post(
        "/graphql", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert too_large.json()["errors"][0]["extensions"]["requestId"] == too_large.headers["x-request-id"]
