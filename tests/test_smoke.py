from __future__ import annotations

from tests.conftest import PASSWORD
from tests.graphql import VIEWER, gql, sign_up


async def test_sign_up_then_read_viewer_with_bearer(client):
    signed = await sign_up(client, "Ada@Example.com", PASSWORD)
    assert signed["userErrors"] == []
    assert signed["user"]["email"] == "ada@example.com"
    body = await gql(client, VIEWER, token=signed["sessionToken"])
    assert body["data"]["viewer"]["user"]["email"] == "ada@example.com"
