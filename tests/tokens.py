"""Helpers for API token tests: issue tokens through the API, call with them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.graphql import gql
from tests.orgs import Person

TOKEN_FIELDS = "id name kind status rights hint allOrganizations ipAllowlist expiresAt lastUsedAt lastUsedIp " \
    "productScope { allProducts productIds } organizations { id name }"  # fmt: skip
CREATE_PAT = f"""mutation($input: CreatePersonalAccessTokenInput!) {{ createPersonalAccessToken(input: $input) {{
  secret token {{ {TOKEN_FIELDS} }} userErrors {{ field code message }} }} }}"""
CREATE_INTEGRATION = f"""mutation($input: CreateIntegrationTokenInput!) {{ createIntegrationToken(input: $input) {{
  secret token {{ {TOKEN_FIELDS} }} userErrors {{ field code message }} }} }}"""
REVOKE = """mutation($id: ID!) { revokeApiToken(input: {tokenId: $id}) {
  token { id status revokedAt } userErrors { code } } }"""
ROTATE = f"""mutation($id: ID!) {{ rotateApiToken(input: {{tokenId: $id}}) {{
  secret token {{ {TOKEN_FIELDS} }} userErrors {{ code }} }} }}"""
WHO = f"{{ viewer {{ user {{ email }} apiToken {{ {TOKEN_FIELDS} }} }} }}"


def in_days(now: datetime, days: float) -> str:
    return (now + timedelta(days=days)).isoformat()


async def personal_token(
    client: httpx.AsyncClient, owner: Person, now: datetime, name: str = "CI deploy", **settings: Any
) -> dict[str, Any]:
    """A personal access token of `owner`: the payload with `secret` and `token`."""
    data = {"name": name, "expiresAt": in_days(now, 30)} | settings
    body = await owner.gql(client, CREATE_PAT, {"input": data})
    assert "errors" not in body, body
    created = body["data"]["createPersonalAccessToken"]
    assert created["userErrors"] == [], created
    return created


async def integration_token(
    client: httpx.AsyncClient, issuer: Person, organization_id: str, now: datetime, name: str = "ERP", **settings: Any
) -> dict[str, Any]:
    data = {"organizationId": organization_id, "name": name, "expiresAt": in_days(now, 30)} | settings
    body = await issuer.gql(client, CREATE_INTEGRATION, {"input": data})
    assert "errors" not in body, body
    created = body["data"]["createIntegrationToken"]
    assert created["userErrors"] == [], created
    return created


async def with_token(client: httpx.AsyncClient, secret: str, query: str, variables: dict | None = None) -> dict:
    client.cookies.clear()
    return await gql(client, query, variables, token=secret)
