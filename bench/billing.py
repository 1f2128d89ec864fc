"""Scenarios (g) and (h): invoices of a big organization, and paying orders from the prepaid balance.

Seeded with bulk SQL, like bench/seed.py. A third bench user, the *billing* user, owns three
organizations of their own (so (a), (f) and the others see nothing of them):

- the invoices organization: `invoices` PAID orders, each with its invoice (1-3 lines in JSONB,
  a billing snapshot), issued over the 3 years before the seeding, and a prepaid balance;
- a second one with `small_invoices` of them, that (g)'s statement count is compared with;
- the payments organization: `pay_orders` PENDING_PAYMENT orders of 60.88 EUR (one RENEWAL
  line of its own hosting product, 49.90 + 22% VAT), and a prepaid balance (one TOP_UP
  entry) covering exactly `pay_funded` of them.

Invoice numbers are `YYYY/NNNNNN`, without gaps per year over every invoice seeded, and
`invoice_counters` holds each year's last one, so the payments' invoices continue them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson

from bench.seed import TRIGRAMS, label_id, plain_dsn
from schema.common import encode_id

BILLING_EMAIL = "billing@bench.example"
ORDER_CENTS, ORDER_NET, ORDER_VAT = 6088, 4990, 1098  # 49.90 + 22% VAT
INVOICES_BALANCE = 123_456  # the invoices organization's prepaid balance, (g) reads it
LABELS = ("org-invoices-big", "org-invoices-small", "org-payments")

INVOICES = """query Invoices($id: ID!) { organization(id: $id) {
  invoices(first: 50) { edges { node { number total { amountCents }
    lines { description total { amountCents } } } } }
  prepaidAccount { balance { amountCents } } } }"""
PAY_ORDER = """mutation PayOrder($input: PayOrderInput!) { payOrder(input: $input) {
  order { id status } payment { id status } invoice { number } userErrors { code } } }"""

BILLING_USER = """
INSERT INTO users (id, email, full_name, language, password_hash, failed_logins,
                   password_changed_at, created_at, updated_at)
VALUES (md5('user-billing')::uuid, $1, 'Bench Billing', 'it', $2, 0, now(), now(), now())
"""

BILLING_ORGS = """
INSERT INTO organizations (id, name, kind, legal_name, tax_code, vat_number, street, postal_code, city,
                           province, country, phone, legal_representative_id, created_at, updated_at)
SELECT md5(label)::uuid, name, 'COMPANY', name || ' S.r.l.', lpad((80000000 + k)::text, 11, '0'),
       lpad((80000000 + k)::text, 11, '0'), 'Via delle Fatture ' || k, '50100', 'Firenze', 'FI', 'IT',
       '+39 055 8' || lpad(k::text, 5, '0'), md5('user-billing')::uuid, now() - interval '4 years', now()
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS o(label, name, k)
"""

BILLING_OWNER = """
INSERT INTO memberships (id, organization_id, user_id, role, rights, all_products, product_ids, topics,
                         status, created_at, updated_at)
SELECT gen_random_uuid(), md5(label)::uuid, md5('user-billing')::uuid, 'OWNER', '{}', true, '{}',
       '{BILLING,EXPIRY,SECURITY,SUPPORT,TECHNICAL}', 'ACTIVE', now() - interval '4 years', now()
FROM unnest($1::text[]) AS label
"""

# One row per invoice to be: organization label and k, i (1..n, oldest first), when, and its lines.
INVOICE_SOURCE = """
CREATE TEMP TABLE bench_invoices AS
SELECT s.label, s.k, s.i, s.issued_at, l.lines, l.subtotal, l.vat,
       extract(year FROM s.issued_at AT TIME ZONE 'UTC')::int AS year
FROM (
    SELECT o.label, o.k, i,
           now() - make_interval(secs => 3 * 365 * 86400.0 * (o.n - i) / o.n + 60 * o.k) AS issued_at
    FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS o(label, n, k)
    CROSS JOIN LATERAL generate_series(1, o.n) AS i
) AS s
CROSS JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object(
               'description', d.description, 'sku', d.sku, 'periodMonths', 12, 'netCents', d.net,
               'vatRateBasisPoints', 2200, 'vatCents', d.vat, 'totalCents', d.net + d.vat) ORDER BY d.l) AS lines,
           sum(d.net)::bigint AS subtotal, sum(d.vat)::bigint AS vat
    FROM (
        SELECT l, net, round(net * 0.22)::bigint AS vat,
               (ARRAY['hosting-linux-start', 'mail-pro', 'ssl-dv'])[l] AS sku,
               (ARRAY['Rinnovo Hosting Linux Start', 'Mail Pro', 'Certificato SSL DV'])[l]
                   || ' · sito' || s.i || '.example' AS description
        FROM (SELECT l, 1000 + (s.i * 37 + l * 101) % 9000 AS net
              FROM generate_series(1, 1 + s.i % 3) AS l) AS x
    ) AS d
) AS l
"""

INVOICE_ORDERS = """
INSERT INTO orders (id, organization_id, number, status, currency, subtotal_cents, vat_cents, total_cents,
                    vat_rate_basis_points, placed_by_id, created_at, updated_at, paid_at)
SELECT md5('invoice-order-' || label || '-' || i)::uuid, md5(label)::uuid, 'B' || k || '-' || lpad(i::text, 7, '0'),
       'PAID', 'EUR', subtotal, vat, subtotal + vat, 2200, md5('user-billing')::uuid,
       issued_at - interval '1 hour', issued_at, issued_at
FROM bench_invoices
"""

INVOICE_ROWS = """
INSERT INTO invoices (id, organization_id, order_id, number, year, sequence, status, currency, subtotal_cents,
                      vat_cents, total_cents, billing_snapshot, lines, payment_method, issued_at)
SELECT md5('invoice-' || label || '-' || i)::uuid, md5(label)::uuid, md5('invoice-order-' || label || '-' || i)::uuid,
       year || '/' || lpad(sequence::text, 6, '0'), year, sequence, 'PAID', 'EUR', subtotal, vat, subtotal + vat,
       jsonb_build_object('name', 'Bench Company ' || k || ' S.r.l.', 'street', 'Via delle Fatture ' || k,
                          'postalCode', '50100', 'city', 'Firenze', 'province', 'FI', 'country', 'IT',
                          'vatNumber', lpad((80000000 + k)::text, 11, '0'),
                          'taxCode', lpad((80000000 + k)::text, 11, '0'), 'sdiCode', 'M5UXCR1', 'pec', null),
       lines, (ARRAY['PREPAID', 'CARD', 'PAYPAL', 'BANK_TRANSFER'])[1 + i % 4], issued_at
FROM (SELECT b.*, row_number() OVER (PARTITION BY year ORDER BY issued_at, label, i) AS sequence
      FROM bench_invoices b) AS n
"""

COUNTERS = """
INSERT INTO invoice_counters (year, last_number)
SELECT year, max(sequence) FROM invoices GROUP BY year
ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number
"""

PAY_PRODUCTS = f"""
INSERT INTO products (id, organization_id, kind, name, name_trigrams, status, catalog_sku, term_months, auto_renew,
                      settings, created_at, updated_at, activated_at, expires_at)
SELECT md5('pay-product-' || i)::uuid, md5('org-payments')::uuid, 'HOSTING', name, {TRIGRAMS}, 'ACTIVE',
       'hosting-linux-start', 12, false, '{{}}', now() - interval '200 days', now(), now() - interval '200 days',
       now() + interval '165 days' + make_interval(mins => i)
FROM (SELECT i, 'Hosting Linux Start · negozio' || i || '.example' AS name FROM generate_series(1, $1) AS i) AS p
"""  # noqa: S608 (fixed fragments, no input)

PAY_ORDERS = """
INSERT INTO orders (id, organization_id, number, status, currency, subtotal_cents, vat_cents, total_cents,
                    vat_rate_basis_points, placed_by_id, due_at, created_at, updated_at)
SELECT md5('pay-order-' || i)::uuid, md5('org-payments')::uuid, 'P-' || lpad(i::text, 7, '0'), 'PENDING_PAYMENT',
       'EUR', $2::int, $3::int, $2::int + $3::int, 2200, md5('user-billing')::uuid, now() + interval '7 days',
       now() - make_interval(secs => i), now() - make_interval(secs => i)
FROM generate_series(1, $1) AS i
"""

PAY_LINES = """
INSERT INTO order_lines (id, order_id, organization_id, position, action, sku, kind, description, period_months,
                         product_id, unit_price_cents, vat_cents, total_cents)
SELECT md5('pay-line-' || i)::uuid, md5('pay-order-' || i)::uuid, md5('org-payments')::uuid, 1, 'RENEWAL',
       'hosting-linux-start', 'HOSTING', 'Rinnovo Hosting Linux Start · negozio' || i || '.example', 12,
       md5('pay-product-' || i)::uuid, $2::int, $3::int, $2::int + $3::int
FROM generate_series(1, $1) AS i
"""

PREPAID = """
WITH accounts AS (
    INSERT INTO prepaid_accounts (organization_id, currency, balance_cents, updated_at)
    SELECT md5(label)::uuid, 'EUR', amount, now() FROM unnest($1::text[], $2::bigint[]) AS a(label, amount)
    RETURNING organization_id, balance_cents
)
INSERT INTO prepaid_entries (id, organization_id, kind, amount_cents, balance_after_cents, description, created_at)
SELECT gen_random_uuid(), organization_id, 'TOP_UP', balance_cents, balance_cents, 'Ricarica iniziale (bench)',
       now() - interval '1 day'
FROM accounts
"""


@dataclass(frozen=True, slots=True)
class Billing:
    big_org_id: uuid.UUID
    small_org_id: uuid.UUID
    pay_org_id: uuid.UUID
    invoices: int
    small_invoices: int
    pay_orders: int
    pay_funded: int  # orders the prepaid balance covers
    initial_balance: int

    def order_id(self, i: int) -> uuid.UUID:
        """The i-th payments order, 1-based."""
        return label_id(f"pay-order-{i}")


async def seed_billing(
    conn: asyncpg.Connection, password_hash: str, invoices: int, small_invoices: int, pay_orders: int, pay_funded: int
) -> Billing:
    names = ["Fatture Grandi Srl", "Fatture Piccole Srl", "Pagamenti Veloci Srl"]
    await conn.execute(BILLING_USER, BILLING_EMAIL, password_hash)
    await conn.execute(BILLING_ORGS, list(LABELS), names)
    await conn.execute(BILLING_OWNER, list(LABELS))
    await conn.execute(INVOICE_SOURCE, list(LABELS[:2]), [invoices, small_invoices])
    await conn.execute(INVOICE_ORDERS)
    await conn.execute(INVOICE_ROWS)
    await conn.execute("DROP TABLE bench_invoices")
    await conn.execute(COUNTERS)
    await conn.execute(PAY_PRODUCTS, pay_orders)
    await conn.execute(PAY_ORDERS, pay_orders, ORDER_NET, ORDER_VAT)
    await conn.execute(PAY_LINES, pay_orders, ORDER_NET, ORDER_VAT)
    initial = pay_funded * ORDER_CENTS
    await conn.execute(PREPAID, [LABELS[0], LABELS[2]], [INVOICES_BALANCE, initial])
    gaps = await conn.fetchval(
        "SELECT count(*) FROM (SELECT year FROM invoices GROUP BY year"
        " HAVING count(*) <> max(sequence) OR count(DISTINCT sequence) <> count(*)) AS g"
    )
    if gaps:
        raise SystemExit("bench: the seeded invoice numbers have gaps")
    return Billing(*(label_id(label) for label in LABELS), invoices, small_invoices, pay_orders, pay_funded, initial)


def invoices_check(expected: int, balance: int) -> Callable[[dict[str, Any]], str | None]:
    """A full first page (newest first, each with number, total and 1-3 lines) and the seeded balance."""

    def check(data: dict[str, Any]) -> str | None:
        org = data["organization"]
        edges = org["invoices"]["edges"]
        if len(edges) != min(50, expected):
            return f"{len(edges)} invoices, expected {min(50, expected)}"
        numbers = [e["node"]["number"] for e in edges]
        if len(set(numbers)) != len(numbers) or not all(n and len(n) == 11 and n[4] == "/" for n in numbers):
            return f"invoice numbers not unique or not YYYY/NNNNNN: {numbers[:3]}"
        for e in edges:
            lines = e["node"]["lines"]
            if (
                not 1 <= len(lines) <= 3
                or sum(x["total"]["amountCents"] for x in lines) != e["node"]["total"]["amountCents"]
            ):
                return f"invoice {e['node']['number']}: {len(lines)} lines not adding up to its total"
        if org["prepaidAccount"]["balance"]["amountCents"] != balance:
            return f"prepaid balance {org['prepaidAccount']['balance']}, expected {balance}"
        return None

    return check


def pay_variables(billing: Billing, i: int, key: str | None = None) -> dict[str, Any]:
    order = encode_id("Order", billing.order_id(i))
    return {"input": {"orderId": order, "method": "PREPAID", "idempotencyKey": key or f"bench-pay-{i}"}}


def pay_check(data: dict[str, Any]) -> str | None:
    """A payment that went through: the order paid, its invoice issued."""
    payload = data["payOrder"]
    if payload["userErrors"] or (payload["payment"] or {}).get("status") != "SUCCEEDED":
        return f"payment not made: {payload}"
    if payload["order"]["status"] != "PAID" or not (payload["invoice"] or {}).get("number"):
        return f"order not paid or no invoice: {payload}"
    return None


def outcome(payload: dict[str, Any]) -> str:
    """SUCCEEDED, INSUFFICIENT_FUNDS, another error code, or the payment's status."""
    if payload["userErrors"]:
        return ",".join(e["code"] for e in payload["userErrors"])
    return str((payload["payment"] or {}).get("status"))


@dataclass
class Ledger:
    """Every payOrder answer the bench got, by order: what the database must agree with."""

    succeeded: dict[str, set[str]] = field(default_factory=dict)  # order id -> payment ids answered SUCCEEDED
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, payload: dict[str, Any]) -> str:
        result = outcome(payload)
        self.outcomes[result] = self.outcomes.get(result, 0) + 1
        if result == "SUCCEEDED":
            self.succeeded.setdefault(payload["order"]["id"], set()).add(payload["payment"]["id"])
        return result


async def duplicates(url: str, token: str, billing: Billing, first: int, pairs: int, ledger: Ledger) -> list[str]:
    """`pairs` requests each sent twice at once (same key, same body): what went wrong, if anything."""
    wrong: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=2 * pairs)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30, limits=limits) as client:

        async def post(i: int) -> dict[str, Any]:
            body = {"query": PAY_ORDER, "variables": pay_variables(billing, i, f"bench-dup-{i}")}
            response = await client.post("/graphql", json=body)
            answer = response.json()
            if response.status_code != 200 or answer.get("errors"):
                raise SystemExit(f"bench: (h) duplicate request failed: {response.status_code} {answer}")
            return answer["data"]["payOrder"]  # type: ignore[no-any-return]

        answers = await asyncio.gather(*(post(i) for i in range(first, first + pairs) for _ in range(2)))
    for n, i in enumerate(range(first, first + pairs)):
        one, two = answers[2 * n], answers[2 * n + 1]
        results = sorted([ledger.add(one), ledger.add(two)])
        ids = {p["payment"]["id"] for p in (one, two) if outcome(p) == "SUCCEEDED"}
        # One charge: both the same payment (the replay), or one and CONFLICT (still in progress).
        if results not in (["SUCCEEDED", "SUCCEEDED"], ["CONFLICT", "SUCCEEDED"]) or len(ids) != 1:
            wrong.append(f"order {i}: answers {results}, {len(ids)} distinct payments")
    return wrong


async def verify(
    url: str, billing: Billing, ledger: Ledger, dup_orders: list[uuid.UUID]
) -> tuple[list[str], dict[str, Any]]:
    """The database against the answers: every discrepancy, none when nothing was lost or doubled."""
    org = billing.pay_org_id
    wrong: list[str] = []
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        paid = {
            encode_id("Order", r["id"])
            for r in await conn.fetch("SELECT id FROM orders WHERE organization_id = $1 AND status = 'PAID'", org)
        }
        answered = set(ledger.succeeded)
        if paid != answered:
            wrong.append(
                f"{len(paid)} PAID orders against {len(answered)} answered SUCCEEDED"
                f" ({len(paid - answered)} paid unanswered, {len(answered - paid)} answered not paid)"
            )
        balance = await conn.fetchval("SELECT balance_cents FROM prepaid_accounts WHERE organization_id = $1", org)
        ledger_sum = await conn.fetchval(
            "SELECT sum(amount_cents) FROM prepaid_entries WHERE organization_id = $1", org
        )
        payments_sum = await conn.fetchval(
            "SELECT coalesce(sum(amount_cents), 0) FROM prepaid_entries"
            " WHERE organization_id = $1 AND kind = 'PAYMENT'",
            org,
        )
        if balance != billing.initial_balance + payments_sum:
            wrong.append(f"balance {balance} != initial {billing.initial_balance} - PAYMENT entries {-payments_sum}")
        if balance != ledger_sum:
            wrong.append(f"balance {balance} != ledger sum {ledger_sum}")
        if balance < 0:
            wrong.append(f"balance {balance} below zero")
        if -payments_sum != ORDER_CENTS * len(paid):
            wrong.append(f"PAYMENT entries {-payments_sum} != {len(paid)} paid orders x {ORDER_CENTS}")
        for year, count, top, distinct, last in await conn.fetch(
            "SELECT i.year, count(*), max(i.sequence), count(DISTINCT i.sequence), c.last_number FROM invoices i"
            " LEFT JOIN invoice_counters c ON c.year = i.year GROUP BY i.year, c.last_number ORDER BY i.year"
        ):
            if not count == top == distinct == last:
                wrong.append(f"invoices {year}: {count} rows, max sequence {top}, {distinct} distinct, counter {last}")
        doubled = await conn.fetch(
            "SELECT order_id, count(*) FROM payments WHERE organization_id = $1 AND status = 'SUCCEEDED'"
            " GROUP BY order_id HAVING count(*) > 1",
            org,
        )
        if doubled:
            wrong.append(f"{len(doubled)} orders with more than one SUCCEEDED payment")
        entries = await conn.fetch(
            "SELECT order_id, count(*) FROM prepaid_entries WHERE organization_id = $1 AND kind = 'PAYMENT'"
            " GROUP BY order_id HAVING count(*) > 1",
            org,
        )
        if entries:
            wrong.append(f"{len(entries)} orders debited more than once")
        mismatched = await conn.fetchval(
            "SELECT count(*) FROM orders o WHERE o.organization_id = $1 AND o.status = 'PAID' AND ("
            " (SELECT count(*) FROM invoices i WHERE i.order_id = o.id) <> 1"
            " OR (SELECT count(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'SUCCEEDED') <> 1"
            " OR (SELECT count(*) FROM prepaid_entries e WHERE e.order_id = o.id AND e.kind = 'PAYMENT') <> 1)",
            org,
        )
        if mismatched:
            wrong.append(f"{mismatched} PAID orders without exactly one invoice, SUCCEEDED payment and debit")
        charged = await conn.fetchval(
            "SELECT count(*) FROM prepaid_entries WHERE order_id = ANY($1::uuid[]) AND kind = 'PAYMENT'", dup_orders
        )
        if charged != len(dup_orders):
            wrong.append(f"duplicate requests: {charged} debits for {len(dup_orders)} orders sent twice")
        stats = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'PAID') AS paid, count(*) FILTER (WHERE status ="
            " 'PENDING_PAYMENT') AS pending FROM orders WHERE organization_id = $1",
            org,
        )
        summary = dict(stats) | {"balance_cents": balance, "initial_cents": billing.initial_balance}
    finally:
        await conn.close()
    return wrong, summary


def bodies(billing: Billing, first: int) -> list[str]:
    """One payOrder body per order from `first` on, each with its own key."""
    return [
        orjson.dumps({"query": PAY_ORDER, "variables": pay_variables(billing, i)}).decode()
        for i in range(first, billing.pay_orders + 1)
    ]
