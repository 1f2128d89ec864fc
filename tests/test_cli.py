from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import PASSWORD, SECRET
from tests.graphql import gql, sign_up

GATEWAY = [sys.executable, "-m", "gateway.cli"]


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"GATEWAY_DATABASE_URL": database_url, "GATEWAY_SECRET_KEY": SECRET}
    return subprocess.run([*GATEWAY, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_schema_prints_the_sdl(database_url):
    result = run(database_url, "schema")
    assert result.returncode == 0
    assert "type Query" in result.stdout and "directive @requires" in result.stdout


async def test_migrate_is_idempotent(engine, database_url):
    result = run(database_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout


async def test_seed_demo_loads_once(engine, database_url):
    first = run(database_url, "seed-demo")
    second = run(database_url, "seed-demo")
    assert first.stdout.strip() == "demo data loaded", first.stderr
    assert "not loaded" in second.stdout


async def test_mail_list_shows_the_outbox(client, database_url):
    await sign_up(client, "cli-mail@example.com", PASSWORD)
    await gql(client, 'mutation { requestPasswordReset(input: {email: "cli-mail@example.com"}) { requested } }')
    result = run(database_url, "mail", "list", "--limit", "5")
    assert result.returncode == 0, result.stderr
    assert "to cli-mail@example.com" in result.stdout
    assert "reset-password?token=gwr_" in result.stdout


def test_production_without_a_secret_key_refuses_to_start(database_url):
    env = os.environ | {"GATEWAY_ENVIRONMENT": "production", "GATEWAY_DATABASE_URL": database_url}
    env.pop("GATEWAY_SECRET_KEY", None)
    result = subprocess.run([*GATEWAY, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "GATEWAY_SECRET_KEY is required in production" in result.stderr
