"""The books must balance: checked over every invoice, order, payment and ledger the suite leaves behind.

`problems_in_the_books` runs before each test's tables are emptied (tests/conftest.py), so a test that
creates an invoice which does not add up fails, whatever that test itself asserts.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

CHECKS: tuple[tuple[str, str], ...] = (
    (
        "invoice {0} does not add up: {1}",
        """SELECT i.number, jsonb_build_object('subtotal', i.subtotal_cents, 'vat', i.vat_cents, 'total', i.total_cents,
                  'lines_net', coalesce(sum((l->>'netCents')::bigint), 0),
                  'lines_vat', coalesce(sum((l->>'vatCents')::bigint), 0),
                  'lines_total', coalesce(sum((l->>'totalCents')::bigint), 0))::text
           FROM invoices i LEFT JOIN LATERAL jsonb_array_elements(i.lines) l ON true
           GROUP BY i.id
           HAVING i.subtotal_cents + i.vat_cents <> i.total_cents
               OR coalesce(sum((l->>'netCents')::bigint), 0) <> i.subtotal_cents
               OR coalesce(sum((l->>'vatCents')::bigint), 0) <> i.vat_cents
               OR coalesce(sum((l->>'totalCents')::bigint), 0) <> i.total_cents
               OR bool_or((l->>'netCents')::bigint + (l->>'vatCents')::bigint <> (l->>'totalCents')::bigint)""",
    ),
    (
        "order {0} does not add up: {1}",
        """SELECT o.number, jsonb_build_object('subtotal', o.subtotal_cents, 'vat', o.vat_cents,
                  'total', o.total_cents, 'lines_net', coalesce(sum(l.unit_price_cents), 0),
                  'lines_vat', coalesce(sum(l.vat_cents), 0), 'lines_total', coalesce(sum(l.total_cents), 0))::text
           FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
           GROUP BY o.id
           HAVING o.subtotal_cents + o.vat_cents <> o.total_cents
               OR coalesce(sum(l.unit_price_cents), 0) <> o.subtotal_cents
               OR coalesce(sum(l.vat_cents), 0) <> o.vat_cents
               OR coalesce(sum(l.total_cents), 0) <> o.total_cents
               OR bool_or(l.unit_price_cents + l.vat_cents <> l.total_cents)""",
    ),
    (
        "invoice {0} differs from its order {1}",
        """SELECT i.number, o.number FROM invoices i JOIN orders o ON o.id = i.order_id
           WHERE (i.subtotal_cents, i.vat_cents, i.total_cents) <> (o.subtotal_cents, o.vat_cents, o.total_cents)
              OR jsonb_array_length(i.lines) <> (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id)""",
    ),
    (
        "order {0} was charged {1} times",
        """SELECT o.number, count(p.id) FROM orders o JOIN payments p ON p.order_id = o.id AND p.status = 'SUCCEEDED'
           GROUP BY o.id HAVING count(p.id) > 1""",
    ),
    (
        "order {0}: paid {1} but invoiced {2}",
        """SELECT o.number, p.amount_cents, i.total_cents FROM payments p JOIN orders o ON o.id = p.order_id
           LEFT JOIN invoices i ON i.order_id = o.id
           WHERE p.status = 'SUCCEEDED' AND p.purpose = 'ORDER' AND p.amount_cents IS DISTINCT FROM i.total_cents""",
    ),
    (
        "order {0} is {1} with {2} invoices",
        """SELECT o.number, o.status, count(i.id) FROM orders o LEFT JOIN invoices i ON i.order_id = o.id
           GROUP BY o.id HAVING count(i.id) <> CASE WHEN o.status = 'PAID' THEN 1 ELSE 0 END""",
    ),
    (
        "prepaid payment for order {0} has {1} ledger entries",
        """SELECT o.number, (SELECT count(*) FROM prepaid_entries e
                              WHERE e.order_id = p.order_id AND e.kind = 'PAYMENT' AND e.amount_cents = -p.amount_cents)
           FROM payments p JOIN orders o ON o.id = p.order_id
           WHERE p.method = 'PREPAID' AND p.status = 'SUCCEEDED'
             AND (SELECT count(*) FROM prepaid_entries e
                   WHERE e.order_id = p.order_id AND e.kind = 'PAYMENT' AND e.amount_cents = -p.amount_cents) <> 1""",
    ),
    (
        "provider reference {0} was charged {1} times",
        """SELECT provider_reference, count(*) FROM payments
           WHERE status = 'SUCCEEDED' AND method IN ('CARD', 'PAYPAL') GROUP BY provider_reference
           HAVING count(*) > 1""",
    ),
    (
        "order {0} has {1} bank transfers waiting",
        """SELECT o.number, count(*) FROM payments p JOIN orders o ON o.id = p.order_id
           WHERE p.status = 'PENDING' GROUP BY o.id HAVING count(*) > 1""",
    ),
    (
        "prepaid ledger of {0} sums to {1}, the balance is {2}",
        """SELECT a.organization_id, coalesce(sum(e.amount_cents), 0), a.balance_cents
           FROM prepaid_accounts a LEFT JOIN prepaid_entries e ON e.organization_id = a.organization_id
           GROUP BY a.organization_id HAVING coalesce(sum(e.amount_cents), 0) <> a.balance_cents""",
    ),
    (
        "prepaid ledger entry {0}: balance after {1}, running sum {2}",
        """SELECT id, balance_after_cents, running FROM (
             SELECT id, balance_after_cents,
                    sum(amount_cents) OVER (PARTITION BY organization_id ORDER BY seq) AS running
             FROM prepaid_entries) e
           WHERE balance_after_cents <> running OR balance_after_cents < 0""",
    ),
    (
        "ledger entries of {0} without a prepaid account",
        """SELECT DISTINCT e.organization_id FROM prepaid_entries e
           WHERE NOT EXISTS (SELECT 1 FROM prepaid_accounts a WHERE a.organization_id = e.organization_id)""",
    ),
    (
        "invoice numbers of {0} have a gap: {1} invoices, highest {2}, counter {3}",
        """SELECT i.year, count(*), max(i.sequence), max(c.last_number) FROM invoices i
           LEFT JOIN invoice_counters c ON c.year = i.year GROUP BY i.year
           HAVING count(DISTINCT i.sequence) <> count(*) OR min(i.sequence) <> 1 OR max(i.sequence) <> count(*)
               OR max(c.last_number) IS DISTINCT FROM count(*)""",
    ),
    (
        "invoice {0} is numbered unlike its year and sequence",
        "SELECT number FROM invoices WHERE number <> year || '/' || lpad(sequence::text, 6, '0')",
    ),
)


async def problems_in_the_books(conn: AsyncConnection) -> list[str]:
    found: list[str] = []
    for message, query in CHECKS:
        for row in (await conn.execute(text(query))).all():
            found.append(message.format(*row))
    return found
