"""A payment whose database went away mid-way leaves its idempotency key usable: the retry charges once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from resolvers.idempotency import LEASE
from tests.orgs import organization, person, place_order
from tests.outage import admin_connection, restore_connections

PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  order { status } payment { status method amount { amountCents } } userErrors { code } } }"""
TOP_UP = """mutation($input: TopUpPrepaidInput!) { topUpPrepaid(input: $input) {
  payment { status } userErrors { code } } }"""
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}  # 60.88 with VAT
BALANCE = "SELECT coalesce(sum(amount_cents), 0) FROM prepaid_entries"


async def _gateway_waits_on_a_lock(conn, database: str) -> int:
    for _ in range(200):
        pid = await conn.scalar(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'"
                " AND application_name = 'organization-gateway' AND query ILIKE '%payments%'"
            ),
            {"db": database},
        )
        if pid is not None:
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError("the payment never reached the payments table")


async def test_a_payment_cut_off_by_a_database_outage_can_be_retried_with_its_key(client, engine, clock):
    owner = await person(client, "outage@example.com")
    org = await organization(client, owner)
    top_up = {"organizationId": org, "amountCents": 10_000, "method": "CARD", "idempotencyKey": "top-up"}
    top_up["source"] = {"cardNumber": "4242 4242 4242 4242"}
    assert (await owner.gql(client, TOP_UP, {"input": top_up}))["data"]["topUpPrepaid"]["userErrors"] == []
    order = (await place_order(client, owner, org, HOSTING))["order"]
    pay = {"input": {"orderId": order["id"], "method": "PREPAID", "idempotencyKey": "pay-once"}}

    async with admin_connection(engine) as (admin, database):
        # Hold the payment after its key is claimed, then take the database away under it.
        locker = await engine.connect()
        await locker.execute(text("LOCK TABLE payments IN ACCESS EXCLUSIVE MODE"))
        locker_pid = await locker.scalar(text("SELECT pg_backend_pid()"))
        attempt = asyncio.create_task(owner.gql(client, PAY, pay))
        await _gateway_waits_on_a_lock(admin, database)
        await admin.execute(text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false'))
        await admin.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> :locker"),
            {"db": database, "locker": locker_pid},
        )
        failed = await attempt
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": locker_pid})
        await restore_connections(admin, database)
    await locker.invalidate()
    await engine.dispose()

    assert failed["data"] == {"payOrder": None}
    assert [e["extensions"]["code"] for e in failed["errors"]] == ["SERVICE_UNAVAILABLE"]
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM idempotency_keys WHERE key = 'pay-once'")) == 1
        assert await conn.scalar(text("SELECT count(*) FROM payments WHERE purpose = 'ORDER'")) == 0

    # Within the lease the claim may still belong to a live request; after it, the retry takes it over.
    early = (await owner.gql(client, PAY, pay))["data"]["payOrder"]
    assert early["userErrors"] == [{"code": "CONFLICT"}]
    clock.advance(LEASE + timedelta(seconds=1))
    retried = (await owner.gql(client, PAY, pay))["data"]["payOrder"]
    assert retried["userErrors"] == []
    assert retried["order"] == {"status": "PAID"}
    assert retried["payment"] == {"status": "SUCCEEDED", "method": "PREPAID", "amount": {"amountCents": 6088}}
    assert (await owner.gql(client, PAY, pay))["data"]["payOrder"] == retried  # replayed, not charged again

    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM payments WHERE purpose = 'ORDER'")) == 1
        assert await conn.scalar(text("SELECT count(*) FROM invoices")) == 1
        assert await conn.scalar(text(BALANCE)) == 10_000 - 6088


async def test_a_payment_that_fails_releases_its_key_at_once(client, engine):
    owner = await person(client, "release@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    pay = {"input": {"orderId": order["id"], "method": "PREPAID", "idempotencyKey": "released"}}
    # The paying transaction fails after the claim (the database refuses the payment row), and the
    # database is still there to release the key: the retry needs no lease.
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE payments ADD CONSTRAINT no_payments CHECK (amount_cents < 0) NOT VALID"))
    failed = await owner.gql(client, PAY, pay)
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE payments DROP CONSTRAINT no_payments"))
    assert [e["extensions"]["code"] for e in failed["errors"]] == ["INTERNAL"]
    retried = (await owner.gql(client, PAY, pay))["data"]["payOrder"]
    assert retried["userErrors"] == [{"code": "INSUFFICIENT_FUNDS"}]


async def test_a_slow_live_attempt_is_never_taken_over(client, engine, clock):
    owner = await person(client, "slow@example.com")
    org = await organization(client, owner)
    top_up = {"organizationId": org, "amountCents": 10_000, "method": "CARD", "idempotencyKey": "top-up"}
    top_up["source"] = {"cardNumber": "4242 4242 4242 4242"}
    assert (await owner.gql(client, TOP_UP, {"input": top_up}))["data"]["topUpPrepaid"]["userErrors"] == []
    order = (await place_order(client, owner, org, HOSTING))["order"]
    pay = {"input": {"orderId": order["id"], "method": "PREPAID", "idempotencyKey": "slow"}}

    async with admin_connection(engine) as (admin, database):
        locker = await engine.connect()
        # SHARE: the payment row waits, reads of the table do not.
        await locker.execute(text("LOCK TABLE payments IN SHARE MODE"))
        attempt = asyncio.create_task(owner.gql(client, PAY, pay))
        await _gateway_waits_on_a_lock(admin, database)
        # Past the lease, but the first attempt still holds its claim: the retry must not run beside it.
        clock.advance(LEASE * 2)
        # Bounded: a retry that queued behind the live attempt would wait for it forever here.
        retry = (await asyncio.wait_for(owner.gql(client, PAY, pay), timeout=15))["data"]["payOrder"]
        await locker.rollback()
        await locker.close()
        first = (await attempt)["data"]["payOrder"]

    assert retry["userErrors"] == [{"code": "CONFLICT"}]
    assert first["payment"]["status"] == "SUCCEEDED"
    assert (await owner.gql(client, PAY, pay))["data"]["payOrder"] == first
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM payments WHERE purpose = 'ORDER'")) == 1
        assert await conn.scalar(text(BALANCE)) == 10_000 - 6088
