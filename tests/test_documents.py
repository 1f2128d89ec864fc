"""General conditions of contract (reading, accepting, PDF) and pro-formas (priced like orders, signed PDF links)."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import log_in
from tests.orgs import buy, join, organization, person, place_order

CONTRACT = """query($id: ID!) { organization(id: $id) { contract {
  version currentVersion effectiveFrom accepted acceptedAt acceptedBy { fullName email } pdfUrl } } }"""
ACCEPT = """mutation($input: AcceptContractInput!) { acceptContract(input: $input) {
  contract { version currentVersion accepted acceptedAt acceptedBy { fullName email } }
  userErrors { field code message } } }"""
AUDIT = "query($id: ID!) { organization(id: $id) { auditLog(first: 100) { edges { node { action details } } } } }"
PROFORMA = """mutation($input: CreateProformaInput!) { createProforma(input: $input) {
  proforma { number notice issuedAt subtotal { amountCents currency } vat { amountCents } total { amountCents }
             vatNote lines { description net { amountCents } vatRateBasisPoints vat { amountCents }
             total { amountCents } } pdfUrl pdfUrlExpiresAt }
  userErrors { field code message } } }"""
CANCEL = """mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { userErrors { code } } }"""
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}  # 49.90 + 22% VAT = 60.88
DOMAIN = {"sku": "domain-it", "periodMonths": 12, "domainName": "documenti-test.it"}  # 9.99 + 2.20 = 12.19


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF made by fpdf2: its content streams, inflated (core fonts: Windows-1252)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    found = []
    for stream in streams:
        try:
            found.append(zlib.decompress(stream).decode("cp1252", "replace"))
        except zlib.error:
            found.append(stream.decode("cp1252", "replace"))
    return "\n".join(found)


def bearer(who) -> dict[str, str]:
    return {"Authorization": f"Bearer {who.token}"}


async def _accept(client, who, org, version):
    body = await who.gql(client, ACCEPT, {"input": {"organizationId": org, "version": version}})
    assert "errors" not in body, body
    return body["data"]["acceptContract"]


async def _proforma(client, who, org, order_ids=(), product_ids=()):
    variables = {"input": {"organizationId": org, "orderIds": list(order_ids), "productIds": list(product_ids)}}
    body = await who.gql(client, PROFORMA, variables)
    assert "errors" not in body, body
    return body["data"]["createProforma"]


async def _counts(engine) -> tuple[int, int]:
    async with engine.connect() as conn:
        invoices = await conn.scalar(text("SELECT count(*) FROM invoices"))
        counters = await conn.scalar(text("SELECT coalesce(sum(last_number), 0) FROM invoice_counters"))
    return invoices, counters


# --- general conditions of contract ---------------------------------------------------------------


async def test_any_member_reads_the_contract_and_strangers_do_not(client):
    owner = await person(client, "contract-owner@example.com")
    org = await organization(client, owner)
    member = await person(client, "contract-member@example.com")
    await join(client, owner, org, member)  # a MEMBER with no rights at all

    body = await member.gql(client, CONTRACT, {"id": org})
    assert body["data"]["organization"]["contract"] == {
        "version": None,
        "currentVersion": "2026.1",
        "effectiveFrom": "2026-06-01",
        "accepted": False,
        "acceptedAt": None,
        "acceptedBy": None,
        "pdfUrl": "/contract/2026.1.pdf",
    }
    stranger = await person(client, "contract-stranger@example.com")
    hidden = await stranger.gql(client, CONTRACT, {"id": org})
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_accepting_the_contract(client, clock):
    owner = await person(client, "accept-owner@example.com", "Maria Rossi")
    org = await organization(client, owner)
    member = await person(client, "accept-member@example.com")
    await join(client, owner, org, member, rights=["VIEW_BILLING"])

    refused = await member.gql(client, ACCEPT, {"input": {"organizationId": org, "version": "2026.1"}})
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "MANAGE_ORGANIZATION"}
    assert refused["data"] == {"acceptContract": None}

    unknown = await _accept(client, owner, org, "1999.1")
    assert unknown["contract"] is None
    assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [("VERSION_UNKNOWN", ["input", "version"])]
    outdated = await _accept(client, owner, org, "2025.1")
    assert [e["code"] for e in outdated["userErrors"]] == ["VERSION_OUTDATED"]

    accepted = await _accept(client, owner, org, "2026.1")
    assert accepted["userErrors"] == []
    assert accepted["contract"] == {
        "version": "2026.1",
        "currentVersion": "2026.1",
        "accepted": True,
        "acceptedAt": "2026-11-22T09:00:00+00:00",
        "acceptedBy": {"fullName": "Maria Rossi", "email": "accept-owner@example.com"},
    }
    clock.advance(timedelta(minutes=5))
    again = await _accept(client, owner, org, "2026.1")
    assert again == accepted  # idempotent: same acceptance, same time, no second audit entry

    seen_by_member = (await member.gql(client, CONTRACT, {"id": org}))["data"]["organization"]["contract"]
    assert seen_by_member["accepted"] is True
    assert seen_by_member["acceptedBy"] == {"fullName": "Maria Rossi", "email": "accept-owner@example.com"}
    log = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"]
    entries = [e["node"] for e in log if e["node"]["action"] == "contract.accept"]
    assert entries == [{"action": "contract.accept", "details": {"version": "2026.1"}}]


async def test_versions_come_into_force_at_midnight_in_italy(client, clock):
    clock.set(datetime(2026, 5, 31, 12, 0, tzinfo=UTC))
    owner = await person(client, "calendar-owner@example.com")
    org = await organization(client, owner)
    not_yet = await _accept(client, owner, org, "2026.1")
    assert [e["code"] for e in not_yet["userErrors"]] == ["VERSION_UNKNOWN"]
    assert (await _accept(client, owner, org, "2025.1"))["contract"]["accepted"] is True

    clock.set(datetime(2026, 5, 31, 22, 0, tzinfo=UTC))  # 1 June, 00:00 in Rome
    await owner.log_in_again(client)
    contract = (await owner.gql(client, CONTRACT, {"id": org}))["data"]["organization"]["contract"]
    assert (contract["version"], contract["currentVersion"], contract["accepted"]) == ("2025.1", "2026.1", False)
    assert [e["code"] for e in (await _accept(client, owner, org, "2025.1"))["userErrors"]] == ["VERSION_OUTDATED"]


async def test_contract_pdf_for_logged_in_users_only(client):
    reader = await person(client, "contract-pdf@example.com")  # member of no organization at all
    pdf = await client.get("/contract/2026.1.pdf", headers=bearer(reader))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    drawn = pdf_text(pdf.content)
    assert "Versione 2026.1, in vigore dal 1 giugno 2026" in drawn
    assert "60 \\(sessanta\\) giorni" in drawn  # the notice period, PDF-escaped
    assert (await client.get("/contract/2025.1.pdf", headers=bearer(reader))).status_code == 200
    assert (await client.get("/contract/1999.1.pdf", headers=bearer(reader))).status_code == 404

    anonymous = await client.get("/contract/2026.1.pdf")
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await log_in(client, reader.email, PASSWORD)  # the session cookie works too
    assert (await client.get("/contract/2026.1.pdf")).status_code == 200


# --- pro-formas -------------------------------------------------------------------------------------


async def test_proforma_for_a_pending_order(client, engine):
    owner = await person(client, "pf-order@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]

    created = await _proforma(client, owner, org, order_ids=[order["id"]])
    assert created["userErrors"] == []
    proforma = created["proforma"]
    assert re.fullmatch(r"PF-2026-[0-9A-F]{8}", proforma["number"])
    assert proforma["notice"] == "PRO FORMA — documento privo di valore fiscale"
    assert proforma["issuedAt"] == "2026-11-22T09:00:00+00:00"
    assert proforma["pdfUrlExpiresAt"] == "2026-11-22T10:00:00+00:00"
    assert (proforma["subtotal"], proforma["vat"], proforma["total"]) == (
        {"amountCents": 4990, "currency": "EUR"},
        {"amountCents": 1098},
        {"amountCents": 6088},
    )
    assert proforma["lines"] == [
        {
            "description": f"{order['number']} · Hosting Linux Start (12 mesi)",
            "net": {"amountCents": 4990},
            "vatRateBasisPoints": 2200,
            "vat": {"amountCents": 1098},
            "total": {"amountCents": 6088},
        }
    ]
    assert proforma["pdfUrl"].startswith("/proforma/") and proforma["pdfUrl"].endswith(".pdf")

    pdf = await client.get(proforma["pdfUrl"], headers=bearer(owner))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "private, no-store"
    drawn = pdf_text(pdf.content)
    assert f"PRO FORMA n. {proforma['number']}" in drawn  # the title
    assert "(PRO FORMA) Tj" in drawn  # the watermark
    assert "PRO FORMA - documento privo di valore fiscale" in drawn
    assert "60,88\xa0€" in drawn  # Babel's Italian format: non-breaking space, euro sign
    # Not an invoice: no row, and the invoice counter did not move.
    assert await _counts(engine) == (0, 0)


async def test_proforma_for_a_product_renewal_and_an_order_together(client, engine, settings, clock):
    owner = await person(client, "pf-renewal@example.com")
    org = await organization(client, owner)
    (hosting,) = await buy(client, engine, settings, clock, owner, org, HOSTING)
    domain_order = (await place_order(client, owner, org, DOMAIN))["order"]
    before = await _counts(engine)
    assert before == (1, 1)  # the hosting's own invoice

    created = await _proforma(client, owner, org, order_ids=[domain_order["id"]], product_ids=[hosting["id"]])
    assert created["userErrors"] == []
    proforma = created["proforma"]
    assert [(line["description"], line["net"], line["vat"], line["total"]) for line in proforma["lines"]] == [
        (
            f"{domain_order['number']} · documenti-test.it (12 mesi)",
            {"amountCents": 999},
            {"amountCents": 220},
            {"amountCents": 1219},
        ),
        ("Rinnovo Hosting Linux Start (12 mesi)", {"amountCents": 4990}, {"amountCents": 1098}, {"amountCents": 6088}),
    ]
    assert (proforma["subtotal"]["amountCents"], proforma["vat"]["amountCents"], proforma["total"]["amountCents"]) == (
        5989,
        1318,
        7307,
    )
    assert (await client.get(proforma["pdfUrl"], headers=bearer(owner))).status_code == 200
    renewal_only = (await _proforma(client, owner, org, product_ids=[hosting["id"]]))["proforma"]
    assert renewal_only["total"] == {"amountCents": 6088}
    assert renewal_only["number"] != proforma["number"]
    assert (await client.get(renewal_only["pdfUrl"], headers=bearer(owner))).status_code == 200
    assert await _counts(engine) == before

    # The link is recomputed for whoever follows it, within their product scope.
    limited = await person(client, "pf-limited@example.com")
    scope = {"allProducts": False, "productIds": []}
    await join(client, owner, org, limited, rights=["VIEW_BILLING", "VIEW_PRODUCTS"], scope=scope)
    assert (await client.get(proforma["pdfUrl"], headers=bearer(limited))).status_code == 404
    own = await _proforma(client, limited, org, product_ids=[hosting["id"]])
    assert [(e["code"], e["field"]) for e in own["userErrors"]] == [("NOT_FOUND", ["input", "productIds", "0"])]


async def test_proforma_user_errors_and_rights(client):
    owner = await person(client, "pf-errors@example.com")
    org = await organization(client, owner)
    other_org = await organization(client, owner, name="Bianchi Srl")
    pending = (await place_order(client, owner, org, HOSTING))["order"]
    cancelled = (await place_order(client, owner, org, HOSTING))["order"]
    assert (await owner.gql(client, CANCEL, {"input": {"orderId": cancelled["id"]}}))["data"]["cancelOrder"] == {
        "userErrors": []
    }
    elsewhere = (await place_order(client, owner, other_org, HOSTING))["order"]

    empty = await _proforma(client, owner, org)
    assert [(e["code"], e["field"]) for e in empty["userErrors"]] == [("NOTHING_TO_BILL", ["input"])]
    assert empty["proforma"] is None
    not_pending = await _proforma(client, owner, org, order_ids=[pending["id"], cancelled["id"]])
    assert [(e["code"], e["field"]) for e in not_pending["userErrors"]] == [
        ("ORDER_NOT_PENDING", ["input", "orderIds", "1"])
    ]
    # Another organization's order, and an id that is not an order's, are simply not found.
    missing = await _proforma(client, owner, org, order_ids=[elsewhere["id"], org])
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [
        ("NOT_FOUND", ["input", "orderIds", "0"]),
        ("NOT_FOUND", ["input", "orderIds", "1"]),
    ]

    worker = await person(client, "pf-worker@example.com")
    await join(client, owner, org, worker, rights=["VIEW_PRODUCTS", "ORDER"])
    refused = await worker.gql(client, PROFORMA, {"input": {"organizationId": org, "orderIds": [pending["id"]]}})
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "VIEW_BILLING"}
    stranger = await person(client, "pf-stranger@example.com")
    hidden = await stranger.gql(client, PROFORMA, {"input": {"organizationId": org, "orderIds": [pending["id"]]}})
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_proforma_pdf_link_needs_the_right_and_expires(client, engine, clock):
    owner = await person(client, "pf-link@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    url = (await _proforma(client, owner, org, order_ids=[order["id"]]))["proforma"]["pdfUrl"]

    accountant = await person(client, "pf-accountant@example.com")
    await join(client, owner, org, accountant, rights=["VIEW_BILLING"])
    worker = await person(client, "pf-link-worker@example.com")
    await join(client, owner, org, worker, rights=["VIEW_PRODUCTS"])
    stranger = await person(client, "pf-link-stranger@example.com")

    assert (await client.get(url, headers=bearer(accountant))).status_code == 200
    forbidden = await client.get(url, headers=bearer(worker))
    assert forbidden.status_code == 403
    extensions = forbidden.json()["errors"][0]["extensions"]
    assert extensions == {"code": "FORBIDDEN", "missingRight": "VIEW_BILLING", "requestId": extensions["requestId"]}
    assert (await client.get(url, headers=bearer(stranger))).status_code == 404
    assert (await client.get(url)).status_code == 401
    body, signature = url.removeprefix("/proforma/").removesuffix(".pdf").split(".")
    forged = f"/proforma/{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}.pdf"
    assert (await client.get(forged, headers=bearer(owner))).status_code == 404
    await log_in(client, owner.email, PASSWORD)  # the session cookie works too
    assert (await client.get(url)).status_code == 200
    client.cookies.clear()

    clock.advance(timedelta(minutes=61))
    await owner.log_in_again(client)  # sessions end after 30 idle minutes
    expired = await client.get(url, headers=bearer(owner))
    assert expired.status_code == 410
    assert expired.json()["errors"][0]["extensions"]["code"] == "EXPIRED"
    assert await _counts(engine) == (0, 0)


async def test_proforma_link_of_an_order_no_longer_pending_is_refused(client):
    owner = await person(client, "pf-stale@example.com")
    org = await organization(client, owner)
    order = (await place_order(client, owner, org, HOSTING))["order"]
    url = (await _proforma(client, owner, org, order_ids=[order["id"]]))["proforma"]["pdfUrl"]
    await owner.gql(client, CANCEL, {"input": {"orderId": order["id"]}})
    stale = await client.get(url, headers=bearer(owner))
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["extensions"]["code"] == "ORDER_NOT_PENDING"
