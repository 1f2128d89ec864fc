"""The payment history ("stato dei pagamenti"): every attempt, with method, status, amount, order, invoice and
when it was made and settled, for members holding VIEW_BILLING."""

from __future__ import annotations

from datetime import timedelta

from gateway.orders_cli import settle
from gateway.resources import Resources
from tests.orgs import join, organization, person, place_order

PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) { payment { id status } userErrors { code } } }"""
TOP_UP = """mutation($input: TopUpPrepaidInput!) { topUpPrepaid(input: $input) { payment { id status } } }"""
HISTORY = """query($id: ID!, $first: Int, $last: Int) { organization(id: $id) {
  payments(first: $first, last: $last) { totalCount
    pageInfo { hasNextPage hasPreviousPage }
    edges { node { id purpose method status amount { amountCents currency } failure createdAt settledAt
                   order { number status } invoice { number total { amountCents } } } } } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Payment { status settledAt order { number } } } }"
GOOD_CARD = {"cardNumber": "4242424242424242"}
DECLINED_CARD = {"cardNumber": "4000000000000002"}
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}


def stamp(when) -> str:
    return when.isoformat()


async def test_the_payment_history_shows_every_attempt_and_its_state(client, engine, settings, clock):
    owner = await person(client, "history-owner@example.com")
    org = await organization(client, owner)
    accountant = await person(client, "history-accountant@example.com")
    await join(client, owner, org, accountant, rights=["VIEW_BILLING"])

    card_order = (await place_order(client, owner, org, HOSTING))["order"]
    started = clock.now()
    pay = {"orderId": card_order["id"], "method": "CARD"}
    declined = await owner.gql(client, PAY, {"input": pay | {"idempotencyKey": "k1", "source": DECLINED_CARD}})
    assert declined["data"]["payOrder"]["userErrors"] == [{"code": "PAYMENT_DECLINED"}]
    clock.advance(timedelta(minutes=1))
    paid = await owner.gql(client, PAY, {"input": pay | {"idempotencyKey": "k2", "source": GOOD_CARD}})
    assert paid["data"]["payOrder"]["payment"]["status"] == "SUCCEEDED"
    clock.advance(timedelta(minutes=1))
    transfer_order = (await place_order(client, owner, org, HOSTING))["order"]
    transfer = {"orderId": transfer_order["id"], "method": "BANK_TRANSFER", "idempotencyKey": "k3"}
    assert (await owner.gql(client, PAY, {"input": transfer}))["data"]["payOrder"]["payment"]["status"] == "PENDING"
    clock.advance(timedelta(minutes=1))
    top_up = {"organizationId": org, "amountCents": 2500, "method": "CARD", "idempotencyKey": "k4"}
    await owner.gql(client, TOP_UP, {"input": top_up | {"source": GOOD_CARD}})

    body = await accountant.gql(client, HISTORY, {"id": org, "first": 10})
    assert "errors" not in body, body
    history = body["data"]["organization"]["payments"]
    assert history["totalCount"] == 4
    rows = [e["node"] for e in history["edges"]]
    seen = [(r["purpose"], r["method"], r["status"], r["order"] and r["order"]["number"]) for r in rows]
    assert seen == [  # newest first
        ("TOP_UP", "CARD", "SUCCEEDED", None),
        ("ORDER", "BANK_TRANSFER", "PENDING", transfer_order["number"]),
        ("ORDER", "CARD", "SUCCEEDED", card_order["number"]),
        ("ORDER", "CARD", "DECLINED", card_order["number"]),
    ]
    top, pending, settled, refused = rows
    assert top["amount"] == {"amountCents": 2500, "currency": "EUR"}
    assert (top["invoice"], top["settledAt"]) == (None, stamp(started + timedelta(minutes=3)))
    assert (pending["invoice"], pending["settledAt"]) == (None, None)
    assert settled["amount"]["amountCents"] == card_order["total"]["amountCents"]
    assert settled["invoice"]["total"] == {"amountCents": card_order["total"]["amountCents"]}
    assert (settled["createdAt"], settled["settledAt"]) == (stamp(started + timedelta(minutes=1)),) * 2
    assert (refused["invoice"], refused["settledAt"], refused["createdAt"]) == (None, None, stamp(started))
    assert refused["failure"]

    # The bank transfer arrives a day later: the same payment is settled, and invoiced.
    clock.advance(timedelta(days=1))
    resources = Resources.open(settings, clock, engine)
    assert "paid" in await settle(resources, transfer_order["number"], "BANK_TRANSFER", "CRO 123")
    await accountant.log_in_again(client)
    refetched = await accountant.gql(client, NODE, {"id": pending["id"]})
    assert refetched["data"]["node"] == {
        "status": "SUCCEEDED",
        "settledAt": stamp(clock.now()),
        "order": {"number": transfer_order["number"]},
    }

    newest = await accountant.gql(client, HISTORY, {"id": org, "last": 1})
    oldest = newest["data"]["organization"]["payments"]
    assert [e["node"]["status"] for e in oldest["edges"]] == ["DECLINED"]
    assert oldest["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}


async def test_the_payment_history_needs_view_billing(client):
    owner = await person(client, "history-owner2@example.com")
    org = await organization(client, owner)
    buyer = await person(client, "history-buyer@example.com")
    await join(client, owner, org, buyer, rights=["ORDER", "PAY"])
    body = await buyer.gql(client, HISTORY, {"id": org, "first": 5})
    assert body["data"] == {"organization": {"payments": None}}
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (["organization", "payments"], {"code": "FORBIDDEN", "missingRight": "VIEW_BILLING"})
    ]
