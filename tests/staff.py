"""Helpers for staff tests: an account made staff as `gateway staff add` does, then logged in."""

from __future__ import annotations

from typing import Any

import httpx

from tests.orgs import Person, person

OPEN = """query($id: ID!, $reason: String!) { staff { organization(id: $id, reason: $reason) { %s } } }"""


async def staff_person(
    client: httpx.AsyncClient, engine: Any, settings: Any, clock: Any, email: str, role: str
) -> Person:
    """A verified account with a platform role; its session (opened before the role) acts as staff at once."""
    someone = await person(client, email, "Staff Person")
    await make_staff(engine, settings, clock, email, role)
    return someone


async def make_staff(engine: Any, settings: Any, clock: Any, email: str, role: str) -> None:
    """What `gateway staff add EMAIL --role ROLE` does, for an account that exists."""
    from gateway.resources import Resources
    from gateway.staff_members_cli import add

    result = await add(Resources.open(settings, clock, engine), email, role)
    assert result.endswith(role), result


async def open_as(client: httpx.AsyncClient, staff: Person, organization_id: str, selection: str, reason: str) -> dict:
    return await staff.gql(client, OPEN % selection, {"id": organization_id, "reason": reason})
