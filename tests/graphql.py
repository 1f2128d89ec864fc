"""Small helpers for talking GraphQL over HTTP in tests."""

from __future__ import annotations

from typing import Any

import httpx

SIGN_UP = """
mutation($input: SignUpInput!) {
  signUp(input: $input) { user { id email fullName } sessionToken sessionExpiresAt userErrors { field message code } }
}"""
LOG_IN = """
mutation($input: LogInInput!) {
  logIn(input: $input) { user { id email } sessionToken userErrors { field message code } }
}"""
VIEWER = "{ viewer { user { id email fullName recoveryEmail language } } }"


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    all_headers = {"Authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers)
    body = response.json()
    body["_status"] = response.status_code
    return body


async def sign_up(
    client: httpx.AsyncClient, email: str, password: str, full_name: str = "Ada Lovelace"
) -> dict[str, Any]:
    body = await gql(client, SIGN_UP, {"input": {"email": email, "password": password, "fullName": full_name}})
    return body["data"]["signUp"]


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    body = await gql(client, LOG_IN, {"input": {"email": email, "password": password}})
    return body["data"]["logIn"]


async def mailbox(client: httpx.AsyncClient, to: str) -> list[dict[str, Any]]:
    response = await client.get("/dev/mailbox", params={"to": to})
    return response.json()["messages"]
