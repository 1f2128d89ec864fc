"""Billing addresses: what invoices are made out to. Never hard-deleted: issued invoices keep a copy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from gateway.db.base import new_id
from gateway.db.models import BillingAddress
from gateway.i18n import Text, text
from resolvers import audit, legal
from resolvers.context import Context
from resolvers.emails import normalize_email
from resolvers.results import Outcome


@dataclass(frozen=True, slots=True)
class AddressDraft:
    label: str | None = None
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    province: str | None = None
    country: str | None = None
    vat_number: str | None = None
    tax_code: str | None = None
    sdi_code: str | None = None
    pec: str | None = None


def _fail(code: str, message: str | Text, field: str) -> Outcome[Any]:
    return Outcome.fail(code, message, "input", "address", field)


def _check(values: dict[str, Any]) -> Outcome[Any] | None:
    for key, limit in (("label", 100), ("name", 300), ("street", 300), ("city", 120)):
        if not values.get(key) or len(values[key]) > limit:
            return _fail(
                "FIELD_REQUIRED", text("This field is required (at most {limit} characters).", limit=limit), key
            )
    if not legal.postal_code_ok(values.get("postal_code") or ""):
        return _fail("POSTAL_CODE_INVALID", "This postal code is not valid.", "postalCode")
    if not legal.COUNTRY.match(values.get("country") or ""):
        return _fail("COUNTRY_INVALID", "The country is a two-letter ISO code, e.g. IT.", "country")
    if values.get("vat_number") and not legal.vat_number_ok(values["vat_number"], values["country"]):
        return _fail("VAT_NUMBER_INVALID", "This VAT number is not valid.", "vatNumber")
    if values.get("tax_code") and values["country"] == "IT" and not legal.italian_tax_code_ok(values["tax_code"]):
        return _fail("TAX_CODE_INVALID", "This codice fiscale is not valid.", "taxCode")
    if values.get("sdi_code") and not (len(values["sdi_code"]) == 7 and values["sdi_code"].isalnum()):
        return _fail("SDI_CODE_INVALID", "The SDI recipient code has 7 letters or digits.", "sdiCode")
    if values.get("pec") and normalize_email(values["pec"]) is None:
        return _fail("PEC_INVALID", "Enter a valid certified email (PEC) address.", "pec")
    return None


def _clean(draft: AddressDraft) -> dict[str, Any]:
    values = {name: getattr(draft, name) for name in AddressDraft.__slots__}
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if v is not None}
    for key in ("country", "postal_code", "sdi_code"):
        if values.get(key):
            values[key] = values[key].upper()
    for key in ("vat_number", "tax_code"):
        if values.get(key):
            values[key] = legal.compact(values[key])
    return {k: (v or None) for k, v in values.items()}


async def add(ctx: Context, organization_id: uuid.UUID, draft: AddressDraft) -> Outcome[BillingAddress]:
    values = _clean(draft)
    values.setdefault("country", "IT")
    if problem := _check(values):
        return problem
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        count = await session.scalar(
            select(func.count()).where(
                BillingAddress.organization_id == organization_id, BillingAddress.removed_at.is_(None)
            )
        )
        address = BillingAddress(
            id=new_id(), organization_id=organization_id, is_default=not count, created_at=now, updated_at=now, **values
        )
        session.add(address)
        await session.flush()
        audit.record(session, ctx, organization_id, "billing_address.add", ("BillingAddress", address.id))
    return Outcome(address)


async def _live(session: Any, address_id: uuid.UUID) -> BillingAddress | None:
    address = await session.get(BillingAddress, address_id, with_for_update=True)
    return address if address is not None and address.removed_at is None else None


async def change(ctx: Context, address_id: uuid.UUID, draft: AddressDraft) -> Outcome[BillingAddress]:
    async with ctx.db.begin() as session:
        address = await _live(session, address_id)
        if address is None:
            return Outcome.fail("NOT_FOUND", "This address was removed.", "input", "addressId")
        current = {name: getattr(address, name) for name in AddressDraft.__slots__}
        values = current | _clean(draft)
        if problem := _check(values):
            return problem
        for key, value in values.items():
            setattr(address, key, value)
        address.updated_at = ctx.clock.now()
        audit.record(session, ctx, address.organization_id, "billing_address.update", ("BillingAddress", address.id))
    return Outcome(address)


async def make_default(ctx: Context, address_id: uuid.UUID) -> Outcome[BillingAddress]:
    async with ctx.db.begin() as session:
        address = await _live(session, address_id)
        if address is None:
            return Outcome.fail("NOT_FOUND", "This address was removed.", "input", "addressId")
        await session.execute(
            update(BillingAddress)
            .where(BillingAddress.organization_id == address.organization_id, BillingAddress.id != address.id)
            .values(is_default=False)
        )
        address.is_default = True
        audit.record(session, ctx, address.organization_id, "billing_address.default", ("BillingAddress", address.id))
    return Outcome(address)


async def remove(ctx: Context, address_id: uuid.UUID) -> Outcome[BillingAddress]:
    async with ctx.db.begin() as session:
        address = await _live(session, address_id)
        if address is None:
            return Outcome.fail("NOT_FOUND", "This address was removed.", "input", "addressId")
        if address.is_default:
            return Outcome.fail("IS_DEFAULT", "Make another address the default first.", "input", "addressId")
        others = await session.scalar(
            select(func.count()).where(
                BillingAddress.organization_id == address.organization_id,
                BillingAddress.removed_at.is_(None),
                BillingAddress.id != address.id,
            )
        )
        if not others:
            return Outcome.fail(
                "LAST_ADDRESS", "An organization keeps at least one billing address.", "input", "addressId"
            )
        address.removed_at = ctx.clock.now()
        audit.record(session, ctx, address.organization_id, "billing_address.remove", ("BillingAddress", address.id))
    return Outcome(address)
