from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import uuid
from importlib.metadata import version

from gateway.settings import Settings
from schema.common import decode_id
from tests.conftest import PASSWORD, SECRET
from tests.graphql import gql, sign_up
from tests.orgs import organization, person, place_order

HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}

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


def one_line_failure(result: subprocess.CompletedProcess[str], status: int = 1) -> str:
    """A failed command: the status, nothing on stdout, JSON logs and one plain line on stderr, no traceback."""
    assert result.returncode == status, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    *logs, last = result.stderr.strip().splitlines()
    for line in logs:
        json.loads(line)
    assert last.startswith("gateway: "), result.stderr
    return last


def test_version():
    result = subprocess.run([*GATEWAY, "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert result.stdout == f"gateway {version('organization-gateway')}\n"


async def test_an_order_that_does_not_exist_is_a_failure(engine, database_url):
    result = run(database_url, "orders", "mark-paid", "ORD-2099-000001")
    assert one_line_failure(result) == "gateway: No order ORD-2099-000001."


async def test_an_order_not_waiting_for_payment_is_a_failure(client, database_url):
    owner = await person(client, "cli-paid@example.com")
    order = (await place_order(client, owner, await organization(client, owner), HOSTING))["order"]
    assert run(database_url, "orders", "mark-paid", order["number"]).returncode == 0
    again = run(database_url, "payments", "reconcile", order["number"], "--reference", "CRO 1")
    assert one_line_failure(again) == f"gateway: Order {order['number']} is PAID, not waiting for payment."


async def test_orders_are_named_by_global_id_uuid_or_number(client, database_url):
    owner = await person(client, "cli-ids@example.com")
    org = await organization(client, owner)
    orders = [(await place_order(client, owner, org, HOSTING))["order"] for _ in range(3)]
    names = [orders[0]["id"], str(decode_id(orders[1]["id"], "Order")), orders[2]["number"]]
    for order, name in zip(orders, names, strict=True):
        result = run(database_url, "orders", "mark-paid", name)
        assert result.returncode == 0, result.stderr
        expected = rf"order {order['number']} paid \(invoice \d{{4}}/\d{{6}}\); its products are delivered\n"
        assert re.fullmatch(expected, result.stdout), result.stdout


async def test_credits_take_the_organization_by_global_id_or_uuid(client, database_url):
    owner = await person(client, "cli-credit@example.com")
    org = await organization(client, owner, "Credito Srl")
    for name in (org, str(decode_id(org, "Organization"))):
        result = run(database_url, "credits", "grant", name, "HOSTING", "1000", "--reason", "Migrazione")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "granted 10.00 EUR of HOSTING credit to Credito Srl\n"


async def test_ids_that_name_nothing_or_something_else_are_refused(client, database_url):
    owner = await person(client, "cli-wrong@example.com")
    org = await organization(client, owner)
    order_id = (await place_order(client, owner, org, HOSTING))["order"]["id"]
    wrong_type = run(database_url, "credits", "grant", order_id, "HOSTING", "1000", "--reason", "x")
    assert wrong_type.returncode == 2
    assert f"{order_id!r} is neither a UUID nor a global id of type Organization" in wrong_type.stderr
    missing = run(database_url, "credits", "grant", str(uuid.uuid4()), "HOSTING", "1000", "--reason", "x")
    assert one_line_failure(missing) == "gateway: No such organization."
    bad_kind = run(database_url, "credits", "grant", org, "PIZZA", "1000", "--reason", "x")
    assert one_line_failure(bad_kind).startswith("gateway: A credit is for one kind of product: DOMAIN, HOSTING")


async def test_promo_codes_refuse_duplicates_and_times_without_offset(engine, database_url):
    args = ["promo", "create", "CLI10", "--description", "10%", "--percent", "10"]
    window = ["--valid-from", "2026-01-01T00:00+00:00", "--valid-until", "2026-12-31T00:00+00:00"]
    assert run(database_url, *args, *window).stdout == "promo code CLI10 created\n"
    assert one_line_failure(run(database_url, *args, *window)) == "gateway: Promo code CLI10 already exists."
    naive = run(database_url, *args, "--valid-from", "2026-01-01", "--valid-until", "2026-12-31T00:00+00:00")
    assert naive.returncode == 2
    assert "has no UTC offset" in naive.stderr and "Traceback" not in naive.stderr


def test_an_unreachable_database_is_one_line_not_a_traceback():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    result = run(f"postgresql+asyncpg://nobody:x@127.0.0.1:{port}/gateway", "migrate")
    assert one_line_failure(result).startswith("gateway: migrate failed: ")


async def test_human_output_on_stdout_logs_on_stderr(engine, database_url):
    result = run(database_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("database at revision ")
    for line in result.stderr.splitlines():
        json.loads(line)


def test_production_refuses_the_embedded_database_unless_told(tmp_path):
    env = os.environ | {"GATEWAY_ENVIRONMENT": "production", "GATEWAY_SECRET_KEY": SECRET}
    env |= {"GATEWAY_PAYMENT_PROVIDER": "local-test", "GATEWAY_DATA_DIR": str(tmp_path)}
    env.pop("GATEWAY_DATABASE_URL", None)
    env.pop("GATEWAY_ALLOW_EMBEDDED_DB", None)
    for command in (["serve"], ["migrate"]):
        result = subprocess.run([*GATEWAY, *command], env=env, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2
        assert result.stderr == (
            "gateway: GATEWAY_DATABASE_URL is required in production "
            "(set GATEWAY_ALLOW_EMBEDDED_DB=1 to run on the embedded PostgreSQL)\n"
        )
    assert not (tmp_path / "pg").exists()

    told = Settings.from_env(env | {"GATEWAY_ALLOW_EMBEDDED_DB": "1"})
    assert told.database_url is None and told.allow_embedded_db
    assert Settings.from_env({"GATEWAY_DATA_DIR": str(tmp_path)}).allow_embedded_db is False


async def test_staff_are_added_listed_and_removed_at_the_terminal(client, database_url):
    await person(client, "supporto@provider.it")
    unverified = await person(client, "nuovo@provider.it", verified=False)
    assert run(database_url, "staff", "list").stdout == "no staff yet\n"
    added = run(database_url, "staff", "add", "Supporto@Provider.it", "--role", "SUPERADMIN")
    assert added.stdout == "supporto@provider.it is staff: SUPERADMIN\n"
    assert run(database_url, "staff", "list").stdout.split()[:2] == ["supporto@provider.it", "SUPERADMIN"]
    assert one_line_failure(run(database_url, "staff", "add", unverified.email, "--role", "SUPPORT_AGENT")) == (
        "gateway: The account's address is not verified yet."
    )
    assert one_line_failure(run(database_url, "staff", "add", "x@example.com", "--role", "SUPPORT_AGENT")) == (
        "gateway: No account uses x@example.com: sign up first."
    )
    assert one_line_failure(run(database_url, "staff", "remove", "supporto@provider.it")) == (
        "gateway: The last superadmin cannot leave the staff."
    )
    wrong_role = run(database_url, "staff", "add", "supporto@provider.it", "--role", "GOD")
    assert wrong_role.returncode == 2 and "invalid choice" in wrong_role.stderr


def test_explain_shows_the_plan_or_why_the_standard_path_answers(database_url, tmp_path):
    compiled = tmp_path / "compiled.graphql"
    compiled.write_text("query Me { viewer { user { email } organizations(first: 5) { totalCount } } }")
    result = run(database_url, "explain", str(compiled))
    assert result.returncode == 0 and result.stdout.startswith("compiled: one statement\n"), result.stderr
    assert "SELECT" in result.stdout and "caller_user_id" in result.stdout
    standard = tmp_path / "standard.graphql"
    standard.write_text("{ viewer { organizations { pageInfo { hasNextPage } } } }")
    assert run(database_url, "explain", str(standard)).stdout == (
        "standard path: organizations.pageInfo: pageInfo and cursors are the standard path's\n"
    )
    invalid = tmp_path / "invalid.graphql"
    invalid.write_text("{ viewer { nothing } }")
    assert one_line_failure(run(database_url, "explain", str(invalid))).startswith("gateway: the document is not valid")
