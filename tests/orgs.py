"""Helpers for organization tests: people, organizations and memberships made through the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import PASSWORD
from tests.graphql import gql, log_in, mailbox, sign_up, verify_email

CREATE = """mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name } userErrors { field code message } } }"""
INVITE = """mutation($input: InviteMemberInput!) {
  inviteMember(input: $input) { invitation { id email status } userErrors { field code message } } }"""
ACCEPT = """mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { member { id role rights } sessionToken userErrors { field code message } } }"""


@dataclass
class Person:
    email: str
    token: str

    async def gql(self, client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict:
        return await gql(client, query, variables, token=self.token)

    async def log_in_again(self, client: httpx.AsyncClient) -> None:
        """A new session, e.g. after the test clock has moved past the old one's end."""
        self.token = (await log_in(client, self.email, PASSWORD))["sessionToken"]
        client.cookies.clear()


async def person(client: httpx.AsyncClient, email: str, name: str = "Test Person", *, verified: bool = True) -> Person:
    """A signed-up account; by default it has opened its verification link, as most people do."""
    signed = await sign_up(client, email, PASSWORD, name)
    client.cookies.clear()
    assert signed["userErrors"] == [], signed
    if verified:
        await verify_email(client, email)
    return Person(email, signed["sessionToken"])


async def organization(client: httpx.AsyncClient, owner: Person, name: str = "Rossi Srl", **extra: Any) -> str:
    data = {
        "name": name,
        "kind": "COMPANY",
        "legalName": f"{name} legal",
        "vatNumber": "IT01114601006",
        "taxCode": "01114601006",
    } | extra
    body = await owner.gql(client, CREATE, {"input": data})
    result = body["data"]["createOrganization"]
    assert result["userErrors"] == [], result
    return result["organization"]["id"]


def token_in(message: dict) -> str:
    match = re.search(r"token=(gwi_[\w-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)


async def join(
    client: httpx.AsyncClient,
    inviter: Person,
    organization_id: str,
    invitee: Person,
    role: str = "MEMBER",
    rights: list[str] | None = None,
    scope: dict | None = None,
) -> str:
    """Invite `invitee` and accept as them; returns the new member's id."""
    data: dict[str, Any] = {
        "organizationId": organization_id,
        "email": invitee.email,
        "role": role,
        "rights": rights or [],
    }
    if scope is not None:
        data["productScope"] = scope
    invited = (await inviter.gql(client, INVITE, {"input": data}))["data"]["inviteMember"]
    assert invited["userErrors"] == [], invited
    token = token_in(next(m for m in await mailbox(client, invitee.email) if m["kind"] == "invitation"))
    accepted = (await invitee.gql(client, ACCEPT, {"input": {"token": token}}))["data"]["acceptInvitation"]
    assert accepted["userErrors"] == [], accepted
    return accepted["member"]["id"]


PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id number status subtotal { amountCents currency } vat { amountCents } total { amountCents }
          lines { sku action description product { id name status } } }
  userErrors { field code message } } }"""


async def place_order(client: httpx.AsyncClient, buyer: Person, organization_id: str, *lines: dict) -> dict:
    body = await buyer.gql(client, PLACE, {"input": {"organizationId": organization_id, "lines": list(lines)}})
    assert "errors" not in body, body
    return body["data"]["placeOrder"]


async def mark_paid(engine: Any, settings: Any, clock: Any, order: dict) -> None:
    """What staff do with `gateway orders mark-paid` (and, later, a successful payment)."""
    from gateway.orders_cli import mark_paid as complete
    from gateway.resources import Resources

    result = await complete(Resources.open(settings, clock, engine), order["number"])
    assert result.endswith("delivered"), result


async def buy(
    client: httpx.AsyncClient, engine: Any, settings: Any, clock: Any, buyer: Person, organization_id: str, *lines: dict
) -> list[dict]:
    """Place and pay an order; returns its products as the buyer sees them after delivery."""
    placed = await place_order(client, buyer, organization_id, *lines)
    assert placed["userErrors"] == [], placed
    await mark_paid(engine, settings, clock, placed["order"])
    return [line["product"] for line in placed["order"]["lines"]]
