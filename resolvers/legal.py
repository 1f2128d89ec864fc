"""Checks of legal identifiers as Italian (and EU) customers type them."""

from __future__ import annotations

import re

_CF_PERSON = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")
_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
_EU_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,24}$")
_POSTAL = re.compile(r"^[0-9A-Z -]{3,10}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def compact(value: str) -> str:
    return re.sub(r"[\s.-]", "", value).upper()


def italian_vat_ok(digits: str) -> bool:
    """Partita IVA: 11 digits, the last a Luhn-style check digit."""
    if not re.fullmatch(r"\d{11}", digits):
        return False
    total = 0
    for i, ch in enumerate(digits[:10]):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            n -= 9 if n > 9 else 0
        total += n
    return (10 - total % 10) % 10 == int(digits[10])


def italian_tax_code_ok(code: str) -> bool:
    """Codice fiscale: 16 characters with a check letter for people, or a company's 11-digit number."""
    if re.fullmatch(r"\d{11}", code):
        return italian_vat_ok(code)
    if not _CF_PERSON.match(code):
        return False
    total = 0
    for i, ch in enumerate(code[:15]):
        index = int(ch) if ch.isdigit() else ord(ch) - ord("A")
        total += _ODD[index] if i % 2 == 0 else index
    return chr(ord("A") + total % 26) == code[15]


def vat_number_ok(value: str, country: str) -> bool:
    number = compact(value)
    if country == "IT":
        return italian_vat_ok(number.removeprefix("IT"))
    return bool(_EU_VAT.match(number if number[:2].isalpha() else f"{country}{number}"))


def phone_ok(value: str) -> bool:
    return bool(_PHONE.match(value.strip()))


def postal_code_ok(value: str) -> bool:
    return bool(_POSTAL.match(value.strip().upper()))
