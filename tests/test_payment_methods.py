"""No double payments across methods, and withdrawals as idempotent as payments."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from gateway.cli_support import CommandError
from gateway.orders_cli import settle
from gateway.resources import Resources
from tests.orgs import organization, person, place_order

HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}  # 60.88 with VAT
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  order { status } payment { id status method } bankTransfer { reference } userErrors { field code } } }"""
CANCEL = """mutation($id: ID!) { cancelBankTransfer(input: {orderId: $id}) {
  order { status } payment { status method } userErrors { field code } } }"""
WITHDRAW = """mutation($input: WithdrawPrepaidInput!) { withdrawPrepaid(input: $input) {
  withdrawal { id amount { amountCents } } prepaidAccount { balance { amountCents } } userErrors { field code } } }"""
SOURCES = {"CARD": {"cardNumber": "4242424242424242"}, "PAYPAL": {"paypalEmail": "payer@example.com"}}


async def _pay(client, who, order_id, method, key):
    variables = {"input": {"orderId": order_id, "method": method, "idempotencyKey": key}}
    if method in SOURCES:
        variables["input"]["source"] = SOURCES[method]
    body = await who.gql(client, PAY, variables)
    assert "errors" not in body, body
    return body["data"]["payOrder"]


async def _top_up(client, who, org, cents):
    body = await who.gql(
        client,
        "mutation($input: TopUpPrepaidInput!) { topUpPrepaid(input: $input) { userErrors { code } } }",
        {
            "input": {
                "organizationId": org,
                "amountCents": cents,
                "method": "CARD",
                "idempotencyKey": str(uuid.uuid4()),
                "source": SOURCES["CARD"],
            }
        },
    )
    assert body["data"]["topUpPrepaid"]["userErrors"] == []


async def test_an_order_waiting_for_a_transfer_is_paid_no_other_way_until_the_transfer_is_withdrawn(
    client, engine, settings, clock
):
    owner = await person(client, "transfer-first@example.com")
    org = await organization(client, owner)
    await _top_up(client, owner, org, 10_000)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    waiting = await _pay(client, owner, order["id"], "BANK_TRANSFER", "t-1")
    assert waiting["payment"]["status"] == "PENDING"

    for method in ("CARD", "PAYPAL", "PREPAID"):
        refused = await _pay(client, owner, order["id"], method, f"other-{method}")
        assert refused["userErrors"] == [{"field": ["input", "method"], "code": "BANK_TRANSFER_PENDING"}], method
        assert refused["payment"] is None
    again = await _pay(client, owner, order["id"], "BANK_TRANSFER", "t-2")  # a new key: the same transfer
    assert again["payment"]["id"] == waiting["payment"]["id"]
    assert again["bankTransfer"] == {"reference": order["number"]}

    withdrawn = (await owner.gql(client, CANCEL, {"id": order["id"]}))["data"]["cancelBankTransfer"]
    assert withdrawn == {
        "order": {"status": "PENDING_PAYMENT"},
        "payment": {"status": "CANCELLED", "method": "BANK_TRANSFER"},
        "userErrors": [],
    }
    twice = (await owner.gql(client, CANCEL, {"id": order["id"]}))["data"]["cancelBankTransfer"]
    assert twice["userErrors"] == [{"field": ["input", "orderId"], "code": "NO_BANK_TRANSFER_PENDING"}]
    paid = await _pay(client, owner, order["id"], "CARD", "card-after")
    assert paid["order"] == {"status": "PAID"}
    # The transfer arrives anyway: staff are told the order is already paid, nothing is charged twice.
    with pytest.raises(CommandError, match=f"Order {order['number']} is PAID, not waiting for payment"):
        await settle(Resources.open(settings, clock, engine), order["number"], "BANK_TRANSFER", "CRO 1")
    async with engine.connect() as conn:
        statuses = (await conn.execute(text("SELECT status FROM payments WHERE order_id IS NOT NULL"))).scalars()
        assert sorted(statuses) == ["CANCELLED", "SUCCEEDED"]
        assert await conn.scalar(text("SELECT balance_cents FROM prepaid_accounts")) == 10_000


async def test_concurrent_transfer_and_card_attempts_end_in_exactly_one_way_to_pay(client, engine):
    owner = await person(client, "transfer-race@example.com")
    org = await organization(client, owner)
    await _top_up(client, owner, org, 100_000)
    orders = [(await place_order(client, owner, org, HOSTING))["order"]["id"] for _ in range(6)]
    attempts = [
        _pay(client, owner, order_id, method, f"{i}-{method}")
        for i, order_id in enumerate(orders)
        for method in ("BANK_TRANSFER", "CARD" if i % 2 else "PREPAID")
    ]
    answers = await asyncio.gather(*attempts)
    for transfer, other in zip(answers[::2], answers[1::2], strict=True):
        if transfer["payment"] and transfer["payment"]["status"] == "PENDING":
            assert other["userErrors"][0]["code"] == "BANK_TRANSFER_PENDING"
        else:
            assert transfer["userErrors"][0]["code"] == "ORDER_NOT_PENDING"
            assert other["order"] == {"status": "PAID"}

    # Withdrawing a transfer races a card payment: the card is refused or comes after, never beside it.
    transfers = [o for o, a in zip(orders, answers[::2], strict=True) if a["payment"]]
    assert transfers
    raced = await asyncio.gather(
        *(
            coroutine
            for order_id in transfers
            for coroutine in (
                owner.gql(client, CANCEL, {"id": order_id}),
                _pay(client, owner, order_id, "CARD", f"race-{order_id}"),
            )
        )
    )
    for cancelled, card in zip(raced[::2], raced[1::2], strict=True):
        assert cancelled["data"]["cancelBankTransfer"]["userErrors"] == []
        assert card["order"] == {"status": "PAID"} or card["userErrors"][0]["code"] == "BANK_TRANSFER_PENDING"
    async with engine.connect() as conn:
        both = await conn.scalar(
            text(
                "SELECT count(*) FROM orders o WHERE o.status = 'PAID' AND EXISTS"
                " (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'PENDING')"
            )
        )
        assert both == 0


async def test_withdrawals_replay_a_retry_and_refuse_another_request_under_the_same_key(client, engine):
    owner = await person(client, "withdraw-key@example.com")
    org = await organization(client, owner)
    await _top_up(client, owner, org, 5000)

    def request(cents, key, iban="IT60 X054 2811 1010 0000 0123 456"):
        return {
            "input": {"organizationId": org, "amountCents": cents, "destination": {"iban": iban}, "idempotencyKey": key}
        }

    first = (await owner.gql(client, WITHDRAW, request(2000, "w-1")))["data"]["withdrawPrepaid"]
    assert first["userErrors"] == [] and first["prepaidAccount"] == {"balance": {"amountCents": 3000}}
    again = (await owner.gql(client, WITHDRAW, request(2000, "w-1")))["data"]["withdrawPrepaid"]
    assert again == first
    other = (await owner.gql(client, WITHDRAW, request(2500, "w-1")))["data"]["withdrawPrepaid"]
    assert other["userErrors"] == [{"field": ["input", "idempotencyKey"], "code": "IDEMPOTENCY_KEY_REUSED"}]
    too_much = (await owner.gql(client, WITHDRAW, request(4000, "w-2")))["data"]["withdrawPrepaid"]
    assert too_much["userErrors"] == [{"field": ["input", "amountCents"], "code": "INSUFFICIENT_FUNDS"}]
    await _top_up(client, owner, org, 5000)  # the retry of a refusal replays the refusal
    replayed = (await owner.gql(client, WITHDRAW, request(4000, "w-2")))["data"]["withdrawPrepaid"]
    assert replayed["userErrors"] == too_much["userErrors"]

    twins = await asyncio.gather(*(owner.gql(client, WITHDRAW, request(1000, "w-twin")) for _ in range(5)))
    codes = {tuple(e["code"] for e in t["data"]["withdrawPrepaid"]["userErrors"]) for t in twins}
    assert codes <= {(), ("CONFLICT",)}
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM withdrawals")) == 2
        assert await conn.scalar(text("SELECT balance_cents FROM prepaid_accounts")) == 10_000 - 2000 - 1000


async def test_an_iban_is_checked_against_its_countrys_format(client):
    owner = await person(client, "iban-format@example.com")
    org = await organization(client, owner)
    await _top_up(client, owner, org, 5000)
    # Check digits right (mod 97), but an Italian IBAN has 27 characters, not 26.
    short = await owner.gql(
        client,
        WITHDRAW,
        {
            "input": {
                "organizationId": org,
                "amountCents": 1000,
                "destination": {"iban": "IT90X054281110100000012345"},
                "idempotencyKey": "short",
            }
        },
    )
    assert short["data"]["withdrawPrepaid"]["userErrors"] == [
        {"field": ["input", "destination", "iban"], "code": "IBAN_INVALID"}
    ]
