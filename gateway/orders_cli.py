"""Staff completing payments by hand: `gateway payments reconcile` (bank transfers) and `gateway orders mark-paid`."""

from __future__ import annotations

from gateway.cli_support import CommandError, object_id, refused
from gateway.resources import Resources
from resolvers import staff_billing


async def settle(resources: Resources, reference: str, method: str, payment_reference: str) -> str:
    # An order is named by its number (what customers and bank transfers quote), its UUID or its API id.
    try:
        order_id, number = object_id(reference, "Order"), None
    except CommandError:
        order_id, number = None, reference.strip()
    outcome = await staff_billing.settle_order(
        resources.db,
        resources.settings,
        staff_billing.cli_operator(resources),
        order_id,
        number,
        method,
        payment_reference,
    )
    settled = refused(outcome)
    return f"order {settled.order.number} paid (invoice {settled.invoice_number}); its products are delivered"


async def mark_paid(resources: Resources, reference: str) -> str:
    return await settle(resources, reference, "MANUAL", "marked paid by staff")
