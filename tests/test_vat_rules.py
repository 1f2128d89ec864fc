"""Who pays which VAT, to the cent: Italy, EU consumers (OSS), EU businesses (reverse charge), the rest.

Hosting "hosting-linux-start" for 12 months costs 49.90 EUR before VAT in every case below.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from gateway.settings import Settings, SettingsError
from resolvers.vies import LocalVies, OnlineVies
from tests.orgs import organization, person

HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}
ADD = """mutation($input: AddBillingAddressInput!) { addBillingAddress(input: $input) {
  billingAddress { id } userErrors { field code } } }"""
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { subtotal { amountCents } vat { amountCents } total { amountCents } vatRateBasisPoints vatNote
          lines { vat { amountCents } } }
  userErrors { field code } } }"""
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  invoice { vat { amountCents } total { amountCents } vatNote billingAddress { country vatNumber }
            lines { vatRateBasisPoints vat { amountCents } } } userErrors { code } } }"""
REVERSE_CHARGE = "Inversione contabile / reverse charge (art. 7-ter DPR 633/72)"
OUT_OF_SCOPE = "Operazione non imponibile / outside the scope of EU VAT"


def _address(country: str, vat_number: str | None = None, label: str = "Sede") -> dict:
    return {
        "label": label,
        "name": "Kunde",
        "street": "Hauptstrasse 1",
        "postalCode": "10115",
        "city": "Berlin",
        "country": country,
        "vatNumber": vat_number,
    }


async def _billed_to(client, country: str, vat_number: str | None, email: str):
    """An Italian organization whose (default) billing address is in `country`."""
    owner = await person(client, email)
    org = await organization(client, owner)
    added = (
        await owner.gql(client, ADD, {"input": {"organizationId": org, "address": _address(country, vat_number)}})
    )["data"]["addBillingAddress"]
    assert added["userErrors"] == [], added
    return owner, org, added["billingAddress"]["id"]


async def _order(client, owner, org, **extra):
    body = await owner.gql(client, PLACE, {"input": {"organizationId": org, "lines": [HOSTING]} | extra})
    placed = body["data"]["placeOrder"]
    assert placed["userErrors"] == [], placed
    return placed["order"]


@pytest.mark.parametrize(
    ("country", "rate", "vat"),
    [
        ("DE", 1900, 948),  # 49.90 x 19% = 9.481
        ("FR", 2000, 998),
        ("FI", 2550, 1272),  # 49.90 x 25.5% = 12.7245: half up to the cent
        ("HU", 2700, 1347),  # 13.473
        ("LU", 1700, 848),  # 8.483
        ("IE", 2300, 1148),  # 11.477
    ],
)
async def test_eu_consumers_pay_their_own_countrys_vat(client, country, rate, vat):
    owner, org, _ = await _billed_to(client, country, None, f"oss-{country.lower()}@example.com")
    order = await _order(client, owner, org)
    assert order["vatRateBasisPoints"] == rate
    assert order["vat"] == {"amountCents": vat}
    assert order["total"] == {"amountCents": 4990 + vat}
    assert order["vatNote"].startswith(f"IVA {country} ") and "OSS" in order["vatNote"]


async def test_all_27_member_states_have_a_standard_rate(engine):
    from resolvers.pricing import EU

    async with engine.connect() as conn:
        rated = set((await conn.execute(text("SELECT country FROM vat_rates WHERE category = 'STANDARD'"))).scalars())
    assert len(EU) == 27 and EU <= rated


async def test_italian_customers_pay_italian_vat(client):
    owner = await person(client, "vat-it@example.com")
    org = await organization(client, owner)
    order = await _order(client, owner, org)
    assert (order["vatRateBasisPoints"], order["vat"], order["vatNote"]) == (2200, {"amountCents": 1098}, None)


async def test_eu_business_with_a_registered_vat_number_gets_reverse_charge_on_the_invoice(client):
    owner, org, _ = await _billed_to(client, "DE", "DE 136 695 976", "vat-de-business@example.com")
    order = await _order(client, owner, org)
    assert (order["vatRateBasisPoints"], order["vat"], order["total"]) == (0, {"amountCents": 0}, {"amountCents": 4990})
    assert order["vatNote"] == REVERSE_CHARGE
    orders = await owner.gql(
        client, "query($id: ID!) { organization(id: $id) { toPay { edges { node { id } } } } }", {"id": org}
    )
    order_id = orders["data"]["organization"]["toPay"]["edges"][0]["node"]["id"]
    paid = await owner.gql(
        client,
        PAY,
        {
            "input": {
                "orderId": order_id,
                "method": "CARD",
                "idempotencyKey": "rc",
                "source": {"cardNumber": "4242424242424242"},
            }
        },
    )
    invoice = paid["data"]["payOrder"]["invoice"]
    assert invoice["vatNote"] == REVERSE_CHARGE
    assert invoice["billingAddress"] == {"country": "DE", "vatNumber": "DE136695976"}
    assert invoice["lines"] == [{"vatRateBasisPoints": 0, "vat": {"amountCents": 0}}]
    assert invoice["total"] == {"amountCents": 4990}


async def test_a_made_up_eu_vat_number_is_refused_and_never_gives_reverse_charge(client, engine):
    owner = await person(client, "vat-made-up@example.com")
    org = await organization(client, owner)
    refused = await owner.gql(client, ADD, {"input": {"organizationId": org, "address": _address("DE", "DE123456789")}})
    assert refused["data"]["addBillingAddress"]["userErrors"] == [
        {"field": ["input", "address", "vatNumber"], "code": "VAT_NUMBER_INVALID"}
    ]
    created = await owner.gql(
        client,
        """mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) {
          userErrors { field code } } }""",
        {
            "input": {
                "name": "Fake GmbH",
                "kind": "COMPANY",
                "legalName": "Fake GmbH",
                "vatNumber": "DE123456789",
                "address": {"country": "DE"},
            }
        },
    )
    assert created["data"]["createOrganization"]["userErrors"] == [
        {"field": ["input", "vatNumber"], "code": "VAT_NUMBER_INVALID"}
    ]
    # One stored before these checks existed: the order is taxed as a German consumer's.
    legacy, legacy_org, _ = await _billed_to(client, "DE", None, "vat-legacy@example.com")
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE billing_addresses SET vat_number = 'DE123456789'"))
    order = await _order(client, legacy, legacy_org)
    assert (order["vatRateBasisPoints"], order["vat"]) == (1900, {"amountCents": 948})


@pytest.mark.parametrize("number", ["DE999999903", "DE999999911"])  # not registered; VIES unavailable
async def test_a_vat_number_vies_does_not_confirm_is_taxed_like_a_consumer(client, number):
    owner, org, _ = await _billed_to(client, "DE", number, f"vies-{number}@example.com")
    order = await _order(client, owner, org)
    assert (order["vatRateBasisPoints"], order["vat"]) == (1900, {"amountCents": 948})


async def test_outside_the_eu_no_vat_and_the_country_comes_from_the_chosen_billing_address(client):
    owner, org, us = await _billed_to(client, "US", None, "vat-us@example.com")
    order = await _order(client, owner, org)
    assert (order["vatRateBasisPoints"], order["vat"], order["vatNote"]) == (0, {"amountCents": 0}, OUT_OF_SCOPE)
    # The same organization billed to a French consumer address for one order.
    added = await owner.gql(client, ADD, {"input": {"organizationId": org, "address": _address("FR", None, "Paris")}})
    paris = added["data"]["addBillingAddress"]["billingAddress"]["id"]
    french = await _order(client, owner, org, billingAddressId=paris)
    assert (french["vatRateBasisPoints"], french["vat"]) == (2000, {"amountCents": 998})
    assert us


async def test_a_swiss_customer_pays_the_swiss_rate_where_we_are_registered(client):
    owner, org, _ = await _billed_to(client, "CH", "CHE-116.281.710 MWST", "vat-ch@example.com")
    order = await _order(client, owner, org)
    assert (order["vatRateBasisPoints"], order["vat"]) == (810, {"amountCents": 404})  # 4.0419


async def test_online_vies_reads_the_eu_rest_api_and_counts_no_answer_as_unconfirmed():
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        number = request.url.path.rsplit("/", 1)[1]
        if number == "136695976":
            return httpx.Response(200, json={"isValid": True, "userError": "VALID"})
        if number == "999999903":
            return httpx.Response(200, json={"isValid": False, "userError": "INVALID"})
        if number == "999999911":
            return httpx.Response(200, json={"isValid": False, "userError": "MS_UNAVAILABLE"})
        raise httpx.ConnectTimeout("timed out", request=request)

    vies = OnlineVies(transport=httpx.MockTransport(answer))
    assert await vies.registered("DE136695976") is True
    assert await vies.registered("DE999999903") is False
    assert await vies.registered("DE999999911") is None
    assert await vies.registered("DE999999920") is None
    assert asked[0] == "/taxation_customs/vies/rest-api/ms/DE/vat/136695976"
    assert await LocalVies().registered("DE136695976") is True


def test_the_vies_setting_is_off_by_default_and_checked():
    assert Settings.from_env({"GATEWAY_SECRET_KEY": "x" * 40}).vies == "off"
    assert Settings.from_env({"GATEWAY_SECRET_KEY": "x" * 40, "GATEWAY_VIES": "online"}).vies == "online"
    with pytest.raises(SettingsError, match="GATEWAY_VIES"):
        Settings.from_env({"GATEWAY_SECRET_KEY": "x" * 40, "GATEWAY_VIES": "maybe"})
