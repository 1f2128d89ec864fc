"""Pro-forma documents: what pending orders and product renewals cost, priced like orders.

A pro-forma is not an invoice: nothing is stored and no invoice number is used. Its inputs travel
in a signed token (the PDF link, valid for an hour), and the PDF route recomputes the document from
the database for whoever follows the link, with that person's rights and product scope.
"""

from __future__ import annotations

import base64
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gateway.db.models import Order
from gateway.i18n import DEFAULT_LANGUAGE, N_, Text, day, text
from resolvers import descriptions, fees, invoices, vies
from resolvers.context import Context
from resolvers.contract_pdf import printable
from resolvers.domains import display_name
from resolvers.invoice_pdf import render
from resolvers.orders import PENDING, RENEWABLE
from resolvers.pricing import VatTreatment, vat_cents, vat_for
from resolvers.results import Outcome, Problem
from resolvers.tokens import token_hash

VALID_FOR = timedelta(hours=1)
MAX_ITEMS = 50
RENEWAL_MONTHS = 12
NOTICE = N_("PRO FORMA — a document with no fiscal value")
LOCAL_TIME = ZoneInfo("Europe/Rome")
NOWHERE = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class ProformaInputs:
    """What a pro-forma is computed from; its signed form is the PDF link's token."""

    organization_id: uuid.UUID
    order_ids: tuple[uuid.UUID, ...]
    product_ids: tuple[uuid.UUID, ...]
    issued_at: datetime  # whole seconds

    @property
    def expires_at(self) -> datetime:
        return self.issued_at + VALID_FOR

    def encode(self) -> bytes:
        data = {
            "o": self.organization_id.hex,
            "r": [i.hex for i in self.order_ids],
            "p": [i.hex for i in self.product_ids],
            "t": int(self.issued_at.timestamp()),
        }
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> ProformaInputs:
        data = json.loads(raw)
        return cls(
            organization_id=uuid.UUID(hex=data["o"]),
            order_ids=tuple(uuid.UUID(hex=i) for i in data["r"]),
            product_ids=tuple(uuid.UUID(hex=i) for i in data["p"]),
            issued_at=datetime.fromtimestamp(int(data["t"]), UTC),
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret_key: str, body: str) -> bytes:
    return token_hash(secret_key, f"proforma:{body}")


def sign(secret_key: str, inputs: ProformaInputs) -> tuple[str, str]:
    """The token, and the short id shown in the document's number (the start of its signature)."""
    body = _b64(inputs.encode())
    mac = _mac(secret_key, body)
    return f"{body}.{_b64(mac)}", mac.hex()[:8].upper()


def verify(secret_key: str, token: str) -> ProformaInputs | None:
    """The inputs a token was signed over, or None when it was not signed by us. Expiry is the caller's check."""
    body, _, mac = token.partition(".")
    try:
        if not hmac.compare_digest(_unb64(mac), _mac(secret_key, body)):
            return None
        return ProformaInputs.decode(_unb64(body))
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class Line:
    description: Text
    net_cents: int
    vat_rate_basis_points: int
    vat_cents: int

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.vat_cents


@dataclass(frozen=True, slots=True)
class Document:
    inputs: ProformaInputs
    number: str
    token: str
    currency: str
    lines: tuple[Line, ...]
    vat_note: str | None
    customer: dict[str, Any]

    @property
    def subtotal_cents(self) -> int:
        return sum(line.net_cents for line in self.lines)

    @property
    def vat_cents(self) -> int:
        return sum(line.vat_cents for line in self.lines)

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.vat_cents


def _problem(code: str, message: str | Text, field: str, index: int) -> Problem:
    return Problem(code, message, ("input", field, str(index)))


async def create(
    ctx: Context,
    organization_id: uuid.UUID,
    order_ids: Sequence[uuid.UUID | None],
    product_ids: Sequence[uuid.UUID | None],
) -> Outcome[Document]:
    """`None` stands for an id that is not an order's (or a product's): reported as NOT_FOUND."""
    if not order_ids and not product_ids:
        return Outcome.fail("NOTHING_TO_BILL", "Choose at least one order waiting for payment or one product.", "input")
    if len(order_ids) + len(product_ids) > MAX_ITEMS:
        return Outcome.fail(
            "TOO_MANY_ITEMS", "A pro-forma covers at most {count} orders and products.", "input", count=MAX_ITEMS
        )
    # The nil UUID names no row: those ids are reported where they stand, beside any other problem.
    inputs = ProformaInputs(
        organization_id,
        tuple(i or NOWHERE for i in order_ids),
        tuple(i or NOWHERE for i in product_ids),
        ctx.clock.now().replace(microsecond=0),
    )
    return await build(ctx, inputs)


async def build(ctx: Context, inputs: ProformaInputs) -> Outcome[Document]:
    """The document, read through the caller's loaders: orders and products they cannot see are NOT_FOUND."""
    loaders = ctx.loaders
    problems: list[Problem] = []
    orders = await loaders.order_by_id.load_many(inputs.order_ids)
    for index, order in enumerate(orders):
        if order is None or order.organization_id != inputs.organization_id:
            problems.append(_problem("NOT_FOUND", "Not found.", "orderIds", index))
        elif order.status != PENDING:
            problems.append(
                _problem(
                    "ORDER_NOT_PENDING",
                    text("Order {number} is not waiting for payment.", number=order.number),
                    "orderIds",
                    index,
                )
            )
    products = await loaders.product_by_id.load_many(inputs.product_ids)
    items = dict(zip(inputs.product_ids, await _catalog(ctx, products), strict=True))
    for index, product in enumerate(products):
        if product is None or product.organization_id != inputs.organization_id:
            problems.append(_problem("NOT_FOUND", "Not found.", "productIds", index))
        elif product.status not in RENEWABLE or items[product.id] is None:
            problems.append(
                _problem(
                    "NOT_RENEWABLE",
                    text("{product} cannot be renewed.", product=display_name(product.name)),
                    "productIds",
                    index,
                )
            )
    if problems:
        return Outcome(problems=problems)

    lines: list[Line] = []
    notes: list[str | None] = []
    currencies: set[str] = set()
    distinct_orders = list({o.id: o for o in orders}.values())
    order_lines = await loaders.lines_by_order_id.load_many([o.id for o in distinct_orders])
    for order, its_lines in zip(distinct_orders, order_lines, strict=True):
        notes.append(order.vat_note)
        currencies.add(order.currency)
        for line in its_lines:
            lines.append(
                Line(
                    text(
                        "{number} · {line}",
                        number=order.number,
                        line=descriptions.kept(line.description, line.description_text),
                    ),
                    line.unit_price_cents,
                    order.vat_rate_basis_points,
                    line.vat_cents,
                )
            )
    treatments: dict[str, VatTreatment] = {}
    checker = vies.checker(ctx.settings.vies)
    async with ctx.reads() as session:
        # Made out like the invoice would be: the first order's billing address, else the default one.
        addressed = orders[0] if orders else Order(organization_id=inputs.organization_id, billing_address_id=None)
        customer = await invoices.billing_snapshot(session, addressed)
        for product in {p.id: p for p in products}.values():
            item, months, price_cents = items[product.id]
            if item.vat_category not in treatments:
                treatments[item.vat_category] = await vat_for(session, customer, item.vat_category, checker)
            treatment = treatments[item.vat_category]
            notes.append(treatment.note)
            currencies.add(item.currency)
            name = product.name if product.name == item.name else f"{item.name} · {product.name}"
            lines.append(
                Line(
                    descriptions.renewal_line(name, months),
                    price_cents,
                    treatment.rate_basis_points,
                    vat_cents(price_cents, treatment.rate_basis_points),
                )
            )
            if fees.applies_to(product):  # renewing it will cost the fee too: shown here as on the order
                rate = treatment.rate_basis_points
                fee = fees.REACTIVATION_FEE_CENTS
                described = text("{name} · {fee}", name=product.name, fee=fees.DESCRIPTION)
                lines.append(Line(described, fee, rate, vat_cents(fee, rate)))
    # The catalog has one currency, and orders are priced from it.
    (currency,) = currencies
    token, short = sign(ctx.settings.secret_key, inputs)
    return Outcome(
        Document(
            inputs=inputs,
            number=f"PF-{inputs.issued_at.astimezone(LOCAL_TIME).year}-{short}",
            token=token,
            currency=currency,
            lines=tuple(lines),
            vat_note="; ".join(dict.fromkeys(n for n in notes if n)) or None,
            customer=customer,
        )
    )


async def _catalog(ctx: Context, products: Sequence[Any]) -> list[tuple[Any, int, int] | None]:
    """For each product: its catalog item, the renewal period and its price; None when it is not sold."""
    skus = [p.catalog_sku if p is not None else "" for p in products]
    found = await ctx.loaders.catalog_item_by_sku.load_many(skus)
    priced: list[tuple[Any, int, int] | None] = []
    for product, entry in zip(products, found, strict=True):
        if product is None or entry is None or not entry[1]:
            priced.append(None)
            continue
        item, prices = entry
        offered = {p.period_months: p.price_cents for p in prices}
        months = next((m for m in (product.term_months, RENEWAL_MONTHS) if m in offered), min(offered))
        priced.append((item, months, offered[months]))
    return priced


def pdf(document: Document, language: str = DEFAULT_LANGUAGE) -> bytes:
    issued = document.inputs.issued_at
    return render(
        title="PRO FORMA",
        number=document.number,
        issued=day(issued, language),
        customer=document.customer,
        lines=[
            {
                "description": printable(display_name(line.description.render(language))),
                "netCents": line.net_cents,
                "vatCents": line.vat_cents,
                "totalCents": line.total_cents,
            }
            for line in document.lines
        ],
        subtotal_cents=document.subtotal_cents,
        vat_cents=document.vat_cents,
        total_cents=document.total_cents,
        currency=document.currency,
        vat_note=document.vat_note,
        footer=printable(
            text(
                "{notice}. Not an invoice: the invoice is issued on payment. Amounts computed on {when}; "
                "renewals are charged at the prices in force on the day of payment.",
                notice=Text(NOTICE),
                when=issued,
            ).render(language)
        ),
        watermark="PRO FORMA",
        language=language,
    )
