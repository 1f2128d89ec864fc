from __future__ import annotations

import asyncio
import re

from sqlalchemy import text

from tests.orgs import join, organization, person, place_order

PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  order { status } payment { status method amount { amountCents } failure } invoice { number total { amountCents } }
  bankTransfer { iban reference amount { amountCents } } userErrors { field code message } } }"""
TOP_UP = """mutation($input: TopUpPrepaidInput!) { topUpPrepaid(input: $input) {
  payment { status } prepaidAccount { balance { amountCents } } userErrors { field code } } }"""
ACCOUNT = """query($id: ID!) { organization(id: $id) { prepaidAccount { balance { amountCents currency }
  entries(first: 100) { edges { node { kind amount { amountCents } balanceAfter { amountCents } } } } } } }"""
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}  # 49.90 + 22% VAT = 60.88
GOOD_CARD = {"cardNumber": "4242 4242 4242 4242"}


async def _pay(client, who, order_id, method="CARD", key="k-1", source=None):
    variables = {"input": {"orderId": order_id, "method": method, "idempotencyKey": key}}
    if source is not None or method in ("CARD", "PAYPAL"):
        variables["input"]["source"] = source or GOOD_CARD
    body = await who.gql(client, PAY, variables)
    assert "errors" not in body, body
    return body["data"]["payOrder"]


async def _top_up(client, who, org, cents, key):
    body = await who.gql(
        client,
        TOP_UP,
        {
            "input": {
                "organizationId": org,
                "amountCents": cents,
                "method": "CARD",
                "idempotencyKey": key,
                "source": GOOD_CARD,
            }
        },
    )
    return body["data"]["topUpPrepaid"]


async def test_card_payment_delivers_and_issues_the_invoice(client):
    owner = await person(client, "payer@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    paid = await _pay(client, owner, order["id"])
    assert paid["userErrors"] == []
    assert paid["order"] == {"status": "PAID"}
    assert paid["payment"] == {
        "status": "SUCCEEDED",
        "method": "CARD",
        "amount": {"amountCents": 6088},
        "failure": None,
    }
    assert re.fullmatch(r"2026/\d{6}", paid["invoice"]["number"])
    assert paid["invoice"]["total"] == {"amountCents": 6088}


async def test_same_key_same_request_charges_once_and_a_different_request_is_refused(client, engine):
    owner = await person(client, "retry@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    first = await _pay(client, owner, order["id"], key="retry-key")
    again = await _pay(client, owner, order["id"], key="retry-key")
    assert again == first  # the stored answer, not a second charge
    other = await _pay(client, owner, order["id"], key="retry-key", source={"cardNumber": "4000 0000 0000 0002"})
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM payments")) == 1
        assert await conn.scalar(text("SELECT count(*) FROM invoices")) == 1


async def test_declined_and_timed_out_payments_leave_nothing_half_written(client, engine):
    owner = await person(client, "declined@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    declined = await _pay(client, owner, order["id"], key="d1", source={"cardNumber": "4000000000000002"})
    assert declined["userErrors"][0]["code"] == "PAYMENT_DECLINED"
    assert declined["payment"]["status"] == "DECLINED"
    assert declined["order"] == {"status": "PENDING_PAYMENT"}
    timeout = await _pay(client, owner, order["id"], key="d2", source={"cardNumber": "4000000000000119"})
    assert timeout["userErrors"][0]["code"] == "PROVIDER_TIMEOUT"
    assert timeout["payment"]["status"] == "FAILED"
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM invoices")) == 0
        assert await conn.scalar(text("SELECT count(*) FROM products WHERE status <> 'PENDING_PAYMENT'")) == 0
        assert await conn.scalar(text("SELECT status FROM orders")) == "PENDING_PAYMENT"
    ok = await _pay(client, owner, order["id"], key="d3")
    assert ok["order"] == {"status": "PAID"}


async def test_bank_transfer_waits_for_staff(client, engine, settings, clock):
    owner = await person(client, "bank@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    pending = await _pay(client, owner, order["id"], method="BANK_TRANSFER", key="b1")
    assert pending["payment"]["status"] == "PENDING"
    assert pending["bankTransfer"]["reference"] == order["number"]
    assert pending["bankTransfer"]["amount"] == {"amountCents": 6088}
    from gateway.orders_cli import settle
    from gateway.resources import Resources

    message = await settle(Resources.open(settings, clock, engine), order["number"], "BANK_TRANSFER", "CRO 12345")
    assert "paid (invoice 2026/" in message
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT status, provider_reference FROM payments"))).one() == (
            "SUCCEEDED",
            "CRO 12345",
        )


async def test_prepaid_spending_under_concurrency_never_overdraws(client, engine):
    owner = await person(client, "prepaid@example.com")
    org = await organization(client, owner)
    orders = [(await place_order(client, owner, org, HOSTING))["order"]["id"] for _ in range(50)]
    topped = await _top_up(client, owner, org, 10 * 6088, "top-1")
    assert topped["prepaidAccount"]["balance"] == {"amountCents": 60880}

    results = await asyncio.gather(
        *(_pay(client, owner, o, method="PREPAID", key=f"p-{i}") for i, o in enumerate(orders))
    )
    succeeded = [r for r in results if r["payment"] and r["payment"]["status"] == "SUCCEEDED"]
    refused = [r for r in results if r["userErrors"] and r["userErrors"][0]["code"] == "INSUFFICIENT_FUNDS"]
    assert (len(succeeded), len(refused)) == (10, 40)
    account = (await owner.gql(client, ACCOUNT, {"id": org}))["data"]["organization"]["prepaidAccount"]
    assert account["balance"] == {"amountCents": 0, "currency": "EUR"}
    entries = [e["node"] for e in account["entries"]["edges"]]
    assert sum(e["amount"]["amountCents"] for e in entries) == 0
    assert sorted(e["kind"] for e in entries) == ["PAYMENT"] * 10 + ["TOP_UP"]
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT sum(amount_cents) FROM prepaid_entries")) == 0
        assert await conn.scalar(text("SELECT count(*) FROM orders WHERE status = 'PAID'")) == 10


async def test_invoice_numbers_have_no_gaps_under_concurrent_payments(client, engine):
    owner = await person(client, "numbers@example.com")
    org = await organization(client, owner)
    orders = [(await place_order(client, owner, org, HOSTING))["order"]["id"] for _ in range(20)]
    # Some payments fail midway (declined cards): their transactions must not consume numbers.
    cards = ["4242424242424242" if i % 4 else "4000000000000002" for i in range(20)]
    results = await asyncio.gather(
        *(
            _pay(client, owner, o, key=f"n-{i}", source={"cardNumber": c})
            for i, (o, c) in enumerate(zip(orders, cards, strict=True))
        )
    )
    numbers = sorted(int(r["invoice"]["number"].split("/")[1]) for r in results if r["invoice"])
    assert numbers == list(range(1, 16))


async def test_billing_rights(client, engine, settings, clock):
    owner = await person(client, "bill-owner@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    accountant = await person(client, "accountant2@example.com")
    await join(client, owner, org, accountant, rights=["VIEW_BILLING", "PAY"])
    collaborator = await person(client, "collab2@example.com")
    await join(client, owner, org, collaborator, rights=["VIEW_PRODUCTS", "MANAGE_PRODUCTS"])

    paid = await _pay(client, accountant, order["id"], key="acc-1")
    assert paid["order"] == {"status": "PAID"}
    settings_query = "query($id: ID!) { organization(id: $id) { products { edges { node { settings } } } } }"
    refused = await accountant.gql(client, settings_query, {"id": org})
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "VIEW_PRODUCTS"}
    invoices = "query($id: ID!) { organization(id: $id) { invoices { edges { node { number } } } } }"
    assert len((await accountant.gql(client, invoices, {"id": org}))["data"]["organization"]["invoices"]["edges"]) == 1
    hidden = await collaborator.gql(client, invoices, {"id": org})
    assert hidden["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "VIEW_BILLING"}
    pay = await collaborator.gql(
        client, PAY, {"input": {"orderId": order["id"], "method": "PREPAID", "idempotencyKey": "x"}}
    )
    assert pay["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "PAY"}
    top_up = await accountant.gql(
        client, TOP_UP, {"input": {"organizationId": org, "amountCents": 5000, "method": "CARD", "idempotencyKey": "t"}}
    )
    assert top_up["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "MANAGE_BILLING"}


async def test_invoice_pdf_only_with_view_billing(client):
    owner = await person(client, "pdf@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    await _pay(client, owner, order["id"], key="pdf")
    body = await owner.gql(
        client, "query($id: ID!) { organization(id: $id) { invoices { edges { node { pdfUrl } } } } }", {"id": org}
    )
    url = body["data"]["organization"]["invoices"]["edges"][0]["node"]["pdfUrl"]
    pdf = await client.get(url, headers={"Authorization": f"Bearer {owner.token}"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    stranger = await person(client, "pdf-stranger@example.com")
    assert (await client.get(url, headers={"Authorization": f"Bearer {stranger.token}"})).status_code == 404
    assert (await client.get(url)).status_code == 401
    worker = await person(client, "pdf-worker@example.com")
    await join(client, owner, org, worker, rights=["VIEW_PRODUCTS"])
    forbidden = await client.get(url, headers={"Authorization": f"Bearer {worker.token}"})
    assert forbidden.status_code == 403
    # The same extensions as a GraphQL refusal: which right is missing.
    extensions = forbidden.json()["errors"][0]["extensions"]
    assert {k: v for k, v in extensions.items() if k != "requestId"} == {
        "code": "FORBIDDEN",
        "missingRight": "VIEW_BILLING",
    }


async def test_deletion_is_blocked_by_balance_and_unpaid_orders(client):
    owner = await person(client, "blocked-deletion@example.com")
    org = await organization(client, owner)
    await place_order(client, owner, org, HOSTING)
    await _top_up(client, owner, org, 2000, "bd-1")
    body = await owner.gql(
        client, "query($id: ID!) { organization(id: $id) { deletionBlockers { code } } }", {"id": org}
    )
    assert [b["code"] for b in body["data"]["organization"]["deletionBlockers"]] == [
        "ACTIVE_PRODUCTS",
        "PREPAID_BALANCE",
        "UNPAID_INVOICES",
    ]


async def test_deleting_an_organization_can_mail_its_invoices(client, engine):
    owner = await person(client, "leaving@example.com")
    org = await organization(client, owner, "Closing Time Srl")
    order = (await place_order(client, owner, org, HOSTING))["order"]
    await _pay(client, owner, order["id"], key="last")
    async with engine.begin() as conn:  # the hosting was cancelled at the end of its term
        await conn.execute(text("UPDATE products SET status = 'CANCELLED'"))
    body = await owner.gql(
        client,
        'mutation($id: ID!) { deleteOrganization(input: {organizationId: $id, confirmName: "Closing Time Srl",'
        " sendInvoices: true}) { userErrors { code } } }",
        {"id": org},
    )
    assert body["data"]["deleteOrganization"]["userErrors"] == []
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT m.recipient, a.filename, a.media_type, substr(a.content, 1, 4) FROM outbox_messages m"
                    " JOIN outbox_attachments a ON a.message_id = m.id WHERE m.kind = 'organization_invoices'"
                )
            )
        ).one()
    assert row[0] == "leaving@example.com"
    assert row[1].startswith("fattura-2026-") and row[2] == "application/pdf" and bytes(row[3]) == b"%PDF"


async def test_a_payer_without_view_billing_gets_no_invoice_in_the_answer(client):
    owner = await person(client, "pay-only-owner@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    payer = await person(client, "pay-only@example.com")
    await join(client, owner, org, payer, rights=["PAY"])
    paid = await _pay(client, payer, order["id"], key="pay-only")
    assert paid["order"] == {"status": "PAID"}
    assert paid["invoice"] is None


async def test_concurrent_duplicates_charge_once(client, engine):
    owner = await person(client, "twins@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    answers = await asyncio.gather(*(_pay(client, owner, order["id"], key="twin") for _ in range(5)))
    codes = sorted(a["userErrors"][0]["code"] if a["userErrors"] else "OK" for a in answers)
    # Each duplicate either waits its turn and replays the first answer, or is told to retry.
    assert set(codes) <= {"OK", "CONFLICT"} and "OK" in codes
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM payments")) == 1
        assert await conn.scalar(text("SELECT count(*) FROM invoices")) == 1
