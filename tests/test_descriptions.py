"""Order lines, invoice lines and prepaid entries read in the reader's language; the Italian invoice as issued."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import text

from gateway import staff_cli
from gateway.resources import Resources
from tests.orgs import buy, join, organization, person, place_order
from tests.test_documents import _proforma, pdf_text
from tests.test_invoice_totals import _suspended

PROFILE = """mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { userErrors { code } } }"""
TOP_UP = """mutation($input: TopUpPrepaidInput!) { topUpPrepaid(input: $input) {
  payment { status failure } userErrors { code } } }"""
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  invoice { id pdfUrl } userErrors { code } } }"""
WITHDRAW = """mutation($input: WithdrawPrepaidInput!) { withdrawPrepaid(input: $input) { userErrors { code } } }"""
READ = """query($id: ID!) { organization(id: $id) {
  orders(first: 5) { edges { node { lines { description } } } }
  invoices(first: 5) { edges { node { lines { description } } } }
  prepaidAccount { entries(first: 10) { edges { node { kind description } } } }
  payments(first: 10) { edges { node { status failure } } } } }"""
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}


def _card(org: str, cents: int, number: str) -> dict:
    return {
        "input": {
            "organizationId": org,
            "amountCents": cents,
            "method": "CARD",
            "idempotencyKey": str(uuid.uuid4()),
            "source": {"cardNumber": number},
        }
    }


async def _pdf(client, who, url: str) -> str:
    drawn = pdf_text((await client.get(url, headers={"Authorization": f"Bearer {who.token}"})).content)
    return drawn.replace("\\(", "(").replace("\\)", ")")  # a PDF string escapes its parentheses


async def _read(client, who, org) -> dict:
    body = await who.gql(client, READ, {"id": org})
    assert "errors" not in body, body
    data = body["data"]["organization"]
    return {
        "order": [line["description"] for line in data["orders"]["edges"][0]["node"]["lines"]],
        "invoice": [line["description"] for line in data["invoices"]["edges"][0]["node"]["lines"]],
        "ledger": [(e["node"]["kind"], e["node"]["description"]) for e in data["prepaidAccount"]["entries"]["edges"]],
        "failures": [p["node"]["failure"] for p in data["payments"]["edges"] if p["node"]["failure"]],
    }


async def test_descriptions_read_in_each_readers_language_and_the_italian_invoice_as_issued(
    client, engine, settings, clock
):
    await staff_cli.create_promo(
        Resources.open(settings, clock, engine),
        "lingue5",
        "5% sull'hosting",
        percent_off=5,
        amount_off_cents=None,
        kinds=["HOSTING"],
        valid_from=clock.now() - timedelta(days=1),
        valid_until=clock.now() + timedelta(days=30),
        max_uses=None,
    )
    owner = await person(client, "descrizioni@example.com")
    org = await organization(client, owner, "Descrizioni Srl")
    reader = await person(client, "descriptions@example.com")
    await join(client, owner, org, reader, role="ADMIN")
    assert (await reader.gql(client, PROFILE, {"i": {"language": "en"}}))["data"]["updateProfile"]["userErrors"] == []

    declined = await owner.gql(client, TOP_UP, _card(org, 5_000, "4000000000000002"))
    assert declined["data"]["topUpPrepaid"]["payment"]["status"] == "DECLINED"
    topped = await owner.gql(client, TOP_UP, _card(org, 20_000, "4242424242424242"))
    assert topped["data"]["topUpPrepaid"]["userErrors"] == []
    body = await owner.gql(
        client,
        "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id number } userErrors { code } } }",
        {"input": {"organizationId": org, "lines": [HOSTING], "promoCode": "LINGUE5"}},
    )
    order = body["data"]["placeOrder"]["order"]
    key = {"idempotencyKey": str(uuid.uuid4())}
    paid = await owner.gql(client, PAY, {"input": {"orderId": order["id"], "method": "PREPAID"} | key})
    invoice = paid["data"]["payOrder"]["invoice"]
    key = {"idempotencyKey": str(uuid.uuid4())}
    destination = {"iban": "IT60X0542811101000000123456"}
    withdrawal = {"organizationId": org, "amountCents": 1_000, "destination": destination} | key
    assert (await owner.gql(client, WITHDRAW, {"input": withdrawal}))["data"]["withdrawPrepaid"]["userErrors"] == []

    italian = await _read(client, owner, org)
    english = await _read(client, reader, org)
    lines_it = ["Hosting Linux Start (12 mesi)", "Codice promozionale LINGUE5: 5% sull'hosting"]
    lines_en = ["Hosting Linux Start (12 months)", "Promo code LINGUE5: 5% sull'hosting"]  # staff's text as written
    assert italian["order"] == italian["invoice"] == lines_it
    assert english["order"] == english["invoice"] == lines_en
    reference = italian["ledger"][-1][1].removeprefix("Ricarica ")
    assert reference.startswith("test_")
    assert italian["ledger"] == [
        ("WITHDRAWAL", "Prelievo richiesto"),
        ("PAYMENT", f"Ordine {order['number']}"),
        ("TOP_UP", f"Ricarica {reference}"),
    ]
    assert english["ledger"] == [
        ("WITHDRAWAL", "Withdrawal requested"),
        ("PAYMENT", f"Order {order['number']}"),
        ("TOP_UP", f"Top-up {reference}"),
    ]
    assert italian["failures"] == ["La carta è stata rifiutata: fondi insufficienti."]
    assert english["failures"] == ["The card was declined: insufficient funds."]

    it_pdf = await _pdf(client, owner, invoice["pdfUrl"])
    en_pdf = await _pdf(client, reader, invoice["pdfUrl"])
    assert all(line in it_pdf for line in lines_it) and "months" not in it_pdf
    assert all(line in en_pdf for line in lines_en) and "mesi" not in en_pdf

    # The invoice's Italian text is the record: stored as issued, whichever language reads it.
    async with engine.begin() as conn:
        stored = await conn.scalar(
            text(
                "SELECT lines FROM invoices WHERE number IS NOT NULL AND organization_id IN "
                "(SELECT organization_id FROM orders WHERE number = :n)"
            ),
            {"n": order["number"]},
        )
    assert [line["description"] for line in stored] == lines_it


async def test_rows_from_before_templates_answer_their_stored_text(client, engine):
    owner = await person(client, "vecchie-righe@example.com")
    org = await organization(client, owner, "Vecchie Righe Srl")
    reader = await person(client, "old-rows@example.com")
    await join(client, owner, org, reader, role="ADMIN")
    await reader.gql(client, PROFILE, {"i": {"language": "en"}})
    await owner.gql(client, TOP_UP, _card(org, 20_000, "4242424242424242"))
    order = (await place_order(client, owner, org, HOSTING))["order"]
    key = {"idempotencyKey": str(uuid.uuid4())}
    invoice = (await owner.gql(client, PAY, {"input": {"orderId": order["id"], "method": "PREPAID"} | key}))["data"][
        "payOrder"
    ]["invoice"]
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE order_lines SET description = 'Vecchia riga', description_text = NULL"))
        await conn.execute(
            text("UPDATE prepaid_entries SET description = 'Vecchio movimento', description_text = NULL")
        )
        await conn.execute(
            text(
                "UPDATE invoices SET lines = (SELECT jsonb_agg((l - 'descriptionText') || '{\"description\": \"Vecchia"
                " fattura\"}') FROM jsonb_array_elements(lines) l)"
            )
        )
    english = await _read(client, reader, org)
    assert english["order"] == ["Vecchia riga"]
    assert english["invoice"] == ["Vecchia fattura"]
    assert english["ledger"] == [("PAYMENT", "Vecchio movimento"), ("TOP_UP", "Vecchio movimento")]
    en_pdf = await _pdf(client, reader, invoice["pdfUrl"])
    assert "Vecchia fattura" in en_pdf


async def test_a_proforma_reads_in_the_readers_language(client, engine, settings, clock):
    owner = await person(client, "proforma-lingua@example.com")
    org = await organization(client, owner, "Proforma Lingua Srl")
    reader = await person(client, "proforma-language@example.com")
    await join(client, owner, org, reader, role="ADMIN")
    await reader.gql(client, PROFILE, {"i": {"language": "en"}})
    (hosting,) = await buy(client, engine, settings, clock, owner, org, HOSTING)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    expected = [
        (owner, [f"{order['number']} · Hosting Linux Start (12 mesi)", "Rinnovo Hosting Linux Start (12 mesi)"]),
        (
            reader,
            [f"{order['number']} · Hosting Linux Start (12 months)", "Renewal of Hosting Linux Start (12 months)"],
        ),
    ]
    for who, lines in expected:
        created = await _proforma(client, who, org, order_ids=[order["id"]], product_ids=[hosting["id"]])
        assert [line["description"] for line in created["proforma"]["lines"]] == lines
        drawn = await _pdf(client, who, created["proforma"]["pdfUrl"])
        assert all(line in drawn for line in lines)


async def test_a_renewal_and_its_reactivation_fee_read_in_the_readers_language(client, engine, settings, clock):
    owner, org = await _suspended(client, engine, settings, clock, "riattiva-lingua@example.com")
    to_pay = """query($id: ID!) { organization(id: $id) { toPay { edges { node { lines { description } } } } } }"""

    async def lines() -> list[str]:
        (edge,) = (await owner.gql(client, to_pay, {"id": org}))["data"]["organization"]["toPay"]["edges"]
        return [line["description"] for line in edge["node"]["lines"]]

    assert await lines() == ["Rinnovo Hosting Linux Start (12 mesi)", "Costo di riattivazione del servizio sospeso"]
    await owner.gql(client, PROFILE, {"i": {"language": "en"}})
    assert await lines() == ["Renewal of Hosting Linux Start (12 months)", "Reactivation fee for the suspended service"]
