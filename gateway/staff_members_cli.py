"""`gateway staff add | remove | list`: who is the provider's staff, from the server's terminal.

The first SUPERADMIN can only be made here; after that, superadmins manage the staff through GraphQL too.
"""

from __future__ import annotations

from gateway.cli_support import CommandError, refused
from gateway.resources import Resources
from permissions.staff import StaffRole
from resolvers import staff_members


async def add(resources: Resources, email: str, role: str) -> str:
    added = refused(await staff_members.add(resources.db, email, StaffRole(role), None, resources.clock.now()))
    return f"{added.email} is staff: {added.role}"


async def remove(resources: Resources, email: str) -> str:
    found = await staff_members.by_email(resources.reads, email)
    if found is None:
        raise CommandError(f"{email} is not staff")
    refused(await staff_members.remove(resources.db, found.id, None, resources.clock.now()))
    return f"{found.email} is no longer staff; their sessions have ended"


async def list_members(resources: Resources) -> str:
    rows = await staff_members.list_staff(resources.reads)
    return "\n".join(f"{r.email:40} {r.role:14} since {r.created_at:%Y-%m-%d}" for r in rows) or "no staff yet"
