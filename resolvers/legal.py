"""Checks of legal identifiers as Italian (and EU) customers type them, by python-stdnum.

stdnum knows each country's format and check digits (maintained upstream, as rules change);
only the loose checks of phone numbers and postal codes are ours.
"""

from __future__ import annotations

import re

from stdnum import get_cc_module, iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva

_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,24}$")
_POSTAL = re.compile(r"^[0-9A-Z -]{3,10}$")
_OTHER_VAT = re.compile(r"^[0-9A-Z+*.]{2,20}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
# EU VAT numbers start with the member state's code, except Greece's (EL, not GR).
_VAT_PREFIX = {"GR": "EL"}


def compact(value: str) -> str:
    return re.sub(r"[\s.-]", "", value).upper()


def italian_vat_ok(digits: str) -> bool:
    """Partita IVA: 11 digits with a check digit."""
    return bool(iva.is_valid(digits))


def italian_tax_code_ok(code: str) -> bool:
    """Codice fiscale: 16 characters with a check letter for people, or a company's 11-digit number."""
    return bool(codicefiscale.is_valid(code))


def eu_vat_number(value: str, country: str) -> str | None:
    """The number with its member-state prefix (`DE136695976`) when it is a valid VAT number of
    `country`, an EU member state; None otherwise (wrong format, check digits or country)."""
    prefix = _VAT_PREFIX.get(country, country)
    number = compact(value)
    if not number[:2].isalpha():
        number = prefix + number
    if number[:2] != prefix or country.lower() not in eu_vat.MEMBER_STATES:
        return None
    try:
        return str(eu_vat.validate(number))
    except ValidationError:
        return None


def vat_number_ok(value: str, country: str) -> bool:
    """Valid for `country`: EU member states by stdnum.eu.vat; other countries by their own stdnum
    module where there is one (e.g. CH), else a plausible format."""
    if eu_vat_number(value, country) is not None:
        return True
    if country.lower() in eu_vat.MEMBER_STATES:
        return False
    module = get_cc_module(country.lower(), "vat")
    if module is not None:
        return bool(module.is_valid(value))
    return bool(_OTHER_VAT.match(compact(value)))


def iban_ok(value: str) -> bool:
    """ISO 13616 check digits and the country's account number format."""
    return bool(iban.is_valid(value))


def phone_ok(value: str) -> bool:
    return bool(_PHONE.match(value.strip()))


def postal_code_ok(value: str) -> bool:
    return bool(_POSTAL.match(value.strip().upper()))
