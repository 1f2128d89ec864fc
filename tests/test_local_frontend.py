"""The README's recipe for a frontend on another origin: GATEWAY_ALLOWED_ORIGINS, CORS with credentials, the cookie."""

from __future__ import annotations

from dataclasses import replace

from gateway.settings import Settings
from tests.conftest import PASSWORD
from tests.graphql import VIEWER, sign_up

FRONTEND = "http://localhost:5173"
# What a browser sends with fetch(url, {credentials: "include"}) from the frontend to localhost:8000.
FROM_FRONTEND = {"Origin": FRONTEND, "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"}


async def test_a_listed_local_frontend_gets_cors_with_credentials_and_uses_the_cookie(make_client, settings, tmp_path):
    origins = Settings.from_env({"GATEWAY_ALLOWED_ORIGINS": FRONTEND, "GATEWAY_DATA_DIR": str(tmp_path)})
    client = await make_client(replace(settings, allowed_origins=origins.allowed_origins))
    asks = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    preflight = await client.options("/graphql", headers={"Origin": FRONTEND} | asks)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == FRONTEND
    assert preflight.headers["access-control-allow-credentials"] == "true"

    await sign_up(client, "frontend@example.com", PASSWORD)  # sets the session cookie on this client
    answer = await client.post("/graphql", json={"query": VIEWER}, headers=FROM_FRONTEND)
    assert answer.headers["access-control-allow-origin"] == FRONTEND
    assert answer.json()["data"]["viewer"]["user"]["email"] == "frontend@example.com"

    unlisted = await client.post(
        "/graphql", json={"query": VIEWER}, headers=FROM_FRONTEND | {"Origin": "http://localhost:3000"}
    )
    assert unlisted.status_code == 403
    assert "access-control-allow-origin" not in unlisted.headers
