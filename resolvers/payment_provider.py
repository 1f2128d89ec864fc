"""Card and PayPal charges go through a provider. The gateway ships one: a local test provider
that never moves real money, so the whole flow runs offline and in tests.

LocalTestProvider is deterministic:
- card 4242 4242 4242 4242 (any other number ending in an even digit too) succeeds;
- card 4000 0000 0000 0002 is declined (insufficient funds), 4000 0000 0000 0069 is declined (expired);
- card 4000 0000 0000 0119 times out;
- PayPal: any address succeeds except ones starting with `declined@` (declined) or `timeout@` (times out).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from gateway.i18n import N_


class ProviderTimeout(Exception):
    """The provider did not answer in time: whether money moved is unknown, so nothing is delivered."""


@dataclass(frozen=True, slots=True)
class Charge:
    succeeded: bool
    reference: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentSource:
    card_number: str | None = None
    paypal_email: str | None = None


class PaymentProvider(Protocol):
    name: str

    async def charge(self, amount_cents: int, currency: str, source: PaymentSource, reference: str) -> Charge: ...


DECLINED_CARDS = {
    "4000000000000002": N_("The card was declined: insufficient funds."),
    "4000000000000069": N_("The card was declined: it has expired."),
}
TIMEOUT_CARD = "4000000000000119"


class LocalTestProvider:
    """Moves no money. For development, tests and demos only; production must name it explicitly."""

    name = "local-test"

    async def charge(self, amount_cents: int, currency: str, source: PaymentSource, reference: str) -> Charge:
        token = hashlib.sha256(f"{reference}:{amount_cents}".encode()).hexdigest()[:16]
        if source.card_number is not None:
            number = "".join(ch for ch in source.card_number if ch.isdigit())
            if number == TIMEOUT_CARD:
                raise ProviderTimeout
            if number in DECLINED_CARDS:
                return Charge(False, f"test_{token}", DECLINED_CARDS[number])
            if len(number) < 12 or int(number[-1]) % 2:
                return Charge(False, f"test_{token}", N_("The card number is not valid."))
            return Charge(True, f"test_{token}")
        email = (source.paypal_email or "").lower()
        if email.startswith("timeout@"):
            raise ProviderTimeout
        if not email or email.startswith("declined@"):
            return Charge(False, f"test_{token}", N_("PayPal declined the payment."))
        return Charge(True, f"test_{token}")


def provider_named(name: str) -> PaymentProvider:
    if name == LocalTestProvider.name:
        return LocalTestProvider()
    raise ValueError(f"unknown payment provider {name!r}")
