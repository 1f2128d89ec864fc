"""Small helpers for talking GraphQL over HTTP in tests."""

from __future__ import annotations

import re
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
    # What the caller's budget holds moves with every request; without it, answers compare as they read.
    # The costs stay. tests/test_rate_limits.py reads the budget from the raw response.
    body.get("extensions", {}).get("cost", {}).pop("throttleStatus", None)
    return body


def without_budget(body: dict[str, Any]) -> dict[str, Any]:
    """The answer but for what the caller's budget holds (it moves with every request); its costs stay,
    so that they too must not tell an existing organization from one that exists nowhere."""
    cost = {k: v for k, v in body.get("extensions", {}).get("cost", {}).items() if k != "throttleStatus"}
    return body | {"extensions": {**body.get("extensions", {}), "cost": cost}}


def answer_of(body: dict[str, Any]) -> dict[str, Any]:
    """An answer without its `extensions` (the query cost), for comparing it whole."""
    return {k: v for k, v in body.items() if k != "extensions"}


async def sign_up(
    client: httpx.AsyncClient, email: str, password: str, full_name: str = "Ada Lovelace"
) -> dict[str, Any]:
    body = await gql(client, SIGN_UP, {"input": {"email": email, "password": password, "fullName": full_name}})
    return body["data"]["signUp"]


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    body = await gql(client, LOG_IN, {"input": {"email": email, "password": password}})
    return body["data"]["logIn"]


async def mailbox(client: httpx.AsyncClient, to: str, kind: str | None = None) -> list[dict[str, Any]]:
    """The messages to `to`, newest first; only those of `kind` when given."""
    response = await client.get("/dev/mailbox", params={"to": to})
    return [m for m in response.json()["messages"] if kind is None or m["kind"] == kind]


VERIFY_EMAIL = """mutation($token: String!) {
  verifyEmail(input: {token: $token}) { verified email userErrors { code } } }"""


def verification_token(message: dict[str, Any]) -> str:
    match = re.search(r"verify-email\?token=(gwe_[\w-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)


async def verify_email(client: httpx.AsyncClient, email: str) -> None:
    """Open the newest verification link mailed to `email`, as its owner would."""
    links = [m for m in await mailbox(client, email) if m["kind"] == "email_verification"]
    assert links, f"no verification mail to {email}"
    body = await gql(client, VERIFY_EMAIL, {"token": verification_token(links[0])})
    assert body["data"]["verifyEmail"]["userErrors"] == [], body
