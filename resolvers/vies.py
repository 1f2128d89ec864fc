"""Is an EU VAT number registered? The European Commission's VIES answers; checksums alone do not.

Reverse charge (0% VAT) needs a business customer, so the number must exist, not merely be well
formed. `GATEWAY_VIES=online` asks VIES for every reverse-charge decision; `off` (the default) uses
`LocalVies`, deterministic and offline, which trusts the checksum (python-stdnum) except for the
test numbers below. An unanswered check counts as not confirmed: the customer is then charged VAT
like a consumer, never a 0% invoice on an unverified number.

Test numbers of the local double (all with valid check digits):
- `DE999999903`: not registered;
- `DE999999911`: VIES unavailable.
"""

from __future__ import annotations

from typing import Protocol

import httpx

VIES_URL = "https://ec.europa.eu/taxation_customs/vies/rest-api"
TIMEOUT_SECONDS = 5.0
NOT_REGISTERED = frozenset({"DE999999903"})
UNAVAILABLE = frozenset({"DE999999911"})


class ViesCheck(Protocol):
    async def registered(self, vat_number: str) -> bool | None:
        """`vat_number` is checksum-valid and prefixed (DE136695976). None: no answer."""
        ...


class LocalVies:
    async def registered(self, vat_number: str) -> bool | None:
        if vat_number in UNAVAILABLE:
            return None
        return vat_number not in NOT_REGISTERED


class OnlineVies:
    """The VIES REST API: GET /ms/{country}/vat/{number} answers `{"isValid": bool, "userError": ...}`."""

    def __init__(self, base_url: str = VIES_URL, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url
        self.transport = transport

    async def registered(self, vat_number: str) -> bool | None:
        country, number = vat_number[:2], vat_number[2:]
        try:
            async with httpx.AsyncClient(
                base_url=self.base_url, timeout=TIMEOUT_SECONDS, transport=self.transport
            ) as client:
                response = await client.get(f"/ms/{country}/vat/{number}")
            if response.status_code != 200:
                return None
            answer = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        if not isinstance(answer, dict) or not isinstance(answer.get("isValid"), bool):
            return None
        # A member state's database being down comes back as isValid false with a userError naming it.
        if answer["isValid"] is False and answer.get("userError") not in (None, "VALID", "INVALID"):
            return None
        return answer["isValid"]


def checker(mode: str) -> ViesCheck:
    return OnlineVies() if mode == "online" else LocalVies()
