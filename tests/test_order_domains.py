"""Hosting, mail and certificate lines may name a domain registered elsewhere, never another customer's domain."""

from __future__ import annotations

import pytest

from tests.orgs import buy, organization, person

PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { lines { kind domainName externalDomain } } userErrors { field code message } } }"""


def line(sku: str, name: str) -> dict:
    return {"sku": sku, "periodMonths": 12, "domainName": name}


@pytest.fixture
async def shops(client, engine, settings, clock):
    anna = await person(client, "anna@alfa.example")
    alfa = await organization(client, anna, "Alfa Srl")
    bruno = await person(client, "bruno@beta.example")
    beta = await organization(client, bruno, "Beta Srl")
    await buy(client, engine, settings, clock, anna, alfa, line("domain-com", "alfa-shop.com"))
    await buy(client, engine, settings, clock, bruno, beta, line("domain-com", "beta-shop.com"))
    return anna, alfa


async def _place(client, buyer, organization_id: str, *lines: dict) -> dict:
    body = await buyer.gql(client, PLACE, {"input": {"organizationId": organization_id, "lines": list(lines)}})
    assert "errors" not in body, body
    return body["data"]["placeOrder"]


@pytest.mark.parametrize(
    "ordered",
    [
        line("hosting-linux-start", "beta-shop.com"),
        line("wordpress-start", "BETA-shop.com."),
        line("hosting-linux-pro", "www.beta-shop.com"),  # a name inside another organization's domain
        line("mail-pro", "beta-shop.com"),
    ],
)
async def test_a_line_cannot_name_another_organizations_domain(client, shops, ordered):
    anna, alfa = shops
    placed = await _place(client, anna, alfa, ordered)
    assert placed["order"] is None
    assert [(e["field"], e["code"]) for e in placed["userErrors"]] == [
        (["input", "lines", "0", "domainName"], "DOMAIN_OF_ANOTHER_ORGANIZATION")
    ]


async def test_a_domain_registered_elsewhere_is_allowed_and_marked_external(client, shops):
    anna, alfa = shops
    placed = await _place(
        client,
        anna,
        alfa,
        line("hosting-linux-start", "registered-elsewhere.com"),
        line("mail-pro", "alfa-shop.com"),
        line("hosting-linux-start", "blog.alfa-shop.com"),
        line("wordpress-start", "new-in-this-order.com"),
        line("domain-com", "new-in-this-order.com"),
    )
    assert placed["userErrors"] == []
    assert [(ln["domainName"], ln["externalDomain"]) for ln in placed["order"]["lines"]] == [
        ("registered-elsewhere.com", True),
        ("alfa-shop.com", False),
        ("blog.alfa-shop.com", False),
        ("new-in-this-order.com", False),
        ("new-in-this-order.com", False),
    ]
