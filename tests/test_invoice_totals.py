"""Every invoice adds up, and what a customer is shown before paying is what they are charged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from gateway.resources import Resources
from resolvers import jobs
from schema.common import encode_id
from tests.books import problems_in_the_books
from tests.orgs import buy, organization, person
from tests.test_documents import pdf_text

HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}  # 49.90 + 22% = 60.88
TO_PAY = """query($id: ID!) { organization(id: $id) { toPay { edges { node { id number
  subtotal { amountCents } vat { amountCents } total { amountCents }
  lines { action description unitPrice { amountCents } vat { amountCents } total { amountCents } } } } } } }"""
PROFORMA = """mutation($input: CreateProformaInput!) { createProforma(input: $input) {
  proforma { total { amountCents } lines { description total { amountCents } } } userErrors { code } } }"""
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  payment { amount { amountCents } } invoice { number pdfUrl subtotal { amountCents } vat { amountCents }
  total { amountCents } lines { description net { amountCents } vat { amountCents } total { amountCents } } }
  userErrors { code } } }"""
FEE = "Costo di riattivazione del servizio sospeso"


async def _suspended(client, engine, settings, clock, email):
    """An organization whose hosting renewal went unpaid past the grace period: the product is suspended."""
    owner = await person(client, email)
    org = await organization(client, owner)
    await buy(client, engine, settings, clock, owner, org, HOSTING)
    resources = Resources.open(settings, clock, engine)
    clock.advance(timedelta(days=365))
    assert (await jobs.run(resources.db, settings, clock.now())).renewals_to_pay == 1
    clock.advance(timedelta(days=16))
    assert (await jobs.run(resources.db, settings, clock.now())).suspended_unpaid == 1
    await owner.log_in_again(client)
    return owner, org


async def test_the_reactivation_fee_is_shown_before_payment_charged_once_and_invoiced(client, engine, settings, clock):
    owner, org = await _suspended(client, engine, settings, clock, "reactivate@example.com")

    # Before paying: the order to pay already carries the fee, and its lines add up to its total.
    (edge,) = (await owner.gql(client, TO_PAY, {"id": org}))["data"]["organization"]["toPay"]["edges"]
    order = edge["node"]
    assert [(line["action"], line["total"]["amountCents"]) for line in order["lines"]] == [
        ("RENEWAL", 6088),
        ("FEE", 2440),  # 20.00 + 22% VAT
    ]
    assert order["subtotal"] == {"amountCents": 4990 + 2000}
    assert order["vat"] == {"amountCents": 1098 + 440}
    assert order["total"] == {"amountCents": 8528}
    proforma = (await owner.gql(client, PROFORMA, {"input": {"organizationId": org, "orderIds": [order["id"]]}}))[
        "data"
    ]["createProforma"]["proforma"]
    assert proforma["total"] == {"amountCents": 8528}
    assert any(FEE in line["description"] for line in proforma["lines"])

    paid = (
        await owner.gql(
            client,
            PAY,
            {
                "input": {
                    "orderId": order["id"],
                    "method": "CARD",
                    "idempotencyKey": "reactivate",
                    "source": {"cardNumber": "4242424242424242"},
                }
            },
        )
    )["data"]["payOrder"]
    assert paid["userErrors"] == []
    assert paid["payment"]["amount"] == {"amountCents": 8528}  # exactly what was shown
    invoice = paid["invoice"]
    assert [line["total"]["amountCents"] for line in invoice["lines"]] == [6088, 2440]
    assert invoice["lines"][1]["description"] == FEE
    assert sum(line["net"]["amountCents"] for line in invoice["lines"]) == invoice["subtotal"]["amountCents"] == 6990
    assert sum(line["vat"]["amountCents"] for line in invoice["lines"]) == invoice["vat"]["amountCents"] == 1538
    assert invoice["total"] == {"amountCents": 8528}

    pdf = await client.get(invoice["pdfUrl"], headers={"Authorization": f"Bearer {owner.token}"})
    printed = pdf_text(pdf.content)
    assert FEE in printed
    assert "20,00\xa0€" in printed and "24,40\xa0€" in printed and "85,28\xa0€" in printed


async def test_a_fee_is_added_once_even_when_the_suspension_job_runs_again(client, engine, settings, clock):
    await _suspended(client, engine, settings, clock, "fee-once@example.com")
    await jobs.run(Resources.open(settings, clock, engine).db, settings, clock.now())
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM order_lines WHERE action = 'FEE'")) == 1


async def test_a_renewal_ordered_for_a_suspended_product_carries_the_fee(client, engine, settings, clock):
    owner, org = await _suspended(client, engine, settings, clock, "fee-renew@example.com")
    async with engine.connect() as conn:
        pending = await conn.scalar(text("SELECT id FROM orders WHERE status = 'PENDING_PAYMENT'"))
        product = await conn.scalar(text("SELECT id FROM products WHERE status = 'SUSPENDED'"))
    cancel = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { userErrors { code } } }"
    assert (await owner.gql(client, cancel, {"id": encode_id("Order", pending)}))["data"]["cancelOrder"] == {
        "userErrors": []
    }
    quoted = (
        await owner.gql(
            client, PROFORMA, {"input": {"organizationId": org, "productIds": [encode_id("Product", product)]}}
        )
    )["data"]["createProforma"]["proforma"]
    assert [line["total"]["amountCents"] for line in quoted["lines"]] == [6088, 2440]
    assert quoted["total"] == {"amountCents": 8528}
    renew = """mutation($id: ID!) { renewProduct(input: {productId: $id, periodMonths: 12}) {
      order { total { amountCents } lines { action } } userErrors { code } } }"""
    renewed = (await owner.gql(client, renew, {"id": encode_id("Product", product)}))["data"]["renewProduct"]
    assert renewed["userErrors"] == []
    assert renewed["order"] == {"total": {"amountCents": 8528}, "lines": [{"action": "RENEWAL"}, {"action": "FEE"}]}


async def test_the_books_check_finds_an_invoice_that_does_not_add_up(client, engine, settings, clock):
    owner = await person(client, "books@example.com")
    org = await organization(client, owner)
    await buy(client, engine, settings, clock, owner, org, HOSTING)
    async with engine.connect() as conn:
        assert await problems_in_the_books(conn) == []
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE invoices SET total_cents = total_cents + 1"))
        found = await problems_in_the_books(conn)
        assert any("does not add up" in p for p in found), found
        await conn.execute(text("UPDATE invoices SET total_cents = total_cents - 1"))
        await conn.execute(text("UPDATE invoices SET sequence = sequence + 1"))
        found = await problems_in_the_books(conn)
        assert any("gap" in p for p in found), found
        await conn.execute(text("UPDATE invoices SET sequence = sequence - 1"))
        await conn.execute(text("UPDATE prepaid_accounts SET balance_cents = 1"))
        await conn.execute(
            text(
                "INSERT INTO prepaid_accounts (organization_id, currency, balance_cents, updated_at)"
                " SELECT organization_id, 'EUR', 1, now() FROM invoices ON CONFLICT DO NOTHING"
            )
        )
        found = await problems_in_the_books(conn)
        assert any("ledger" in p for p in found), found
        await conn.execute(text("DELETE FROM prepaid_accounts"))
        assert await problems_in_the_books(conn) == []
