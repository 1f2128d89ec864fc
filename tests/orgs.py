"""Helpers for organization tests: people, organizations and memberships made through the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import PASSWORD
from tests.graphql import gql, log_in, mailbox, sign_up

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


async def person(client: httpx.AsyncClient, email: str, name: str = "Test Person") -> Person:
    signed = await sign_up(client, email, PASSWORD, name)
    client.cookies.clear()
    assert signed["userErrors"] == [], signed
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
    token = token_in((await mailbox(client, invitee.email))[0])
    accepted = (await invitee.gql(client, ACCEPT, {"input": {"token": token}}))["data"]["acceptInvitation"]
    assert accepted["userErrors"] == [], accepted
    return accepted["member"]["id"]
