"""Who is the provider's staff: added, changed and removed by a SUPERADMIN (or `gateway staff` at the server).

A staff member is an existing account with a verified address; from then on its sessions act as staff, never as
a customer. The last SUPERADMIN can be neither removed nor demoted, so the platform is never left without one.
Leaving the staff ends the account's sessions: whatever it does next, it does after logging in again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.base import new_id
from gateway.db.models import StaffMember, User
from permissions.staff import StaffRole
from resolvers import sessions
from resolvers.emails import normalize_email
from resolvers.results import Outcome

log = logging.getLogger("gateway.staff")


def staff_rows() -> Any:
    return select(
        StaffMember.id, StaffMember.user_id, StaffMember.role, StaffMember.created_at, User.email, User.full_name
    ).join(User, User.id == StaffMember.user_id)


async def list_staff(reads: async_sessionmaker[AsyncSession]) -> list[Any]:
    async with reads() as session:
        return list((await session.execute(staff_rows().order_by(User.email))).all())


async def _superadmins(session: AsyncSession) -> int:
    stmt = select(func.count()).where(StaffMember.role == StaffRole.SUPERADMIN.value)
    return int(await session.scalar(stmt) or 0)


async def _one(session: AsyncSession, staff_id: uuid.UUID) -> Any:
    return (await session.execute(staff_rows().where(StaffMember.id == staff_id))).one_or_none()


async def add(
    db: async_sessionmaker[AsyncSession], email: str, role: StaffRole, by: uuid.UUID | None, now: datetime
) -> Outcome[Any]:
    address = normalize_email(email)
    if address is None:
        return Outcome.fail("EMAIL_INVALID", "Give an email address.", "input", "email")
    async with db.begin() as session:
        user = (await session.execute(select(User).where(func.lower(User.email) == address))).scalar_one_or_none()
        if user is None:
            return Outcome.fail(
                "USER_NOT_FOUND", "No account uses {email}: sign up first.", "input", "email", email=address
            )
        if user.email_verified_at is None:
            return Outcome.fail("EMAIL_NOT_VERIFIED", "The account's address is not verified yet.", "input", "email")
        if await session.scalar(select(StaffMember.id).where(StaffMember.user_id == user.id)):
            return Outcome.fail("ALREADY_STAFF", "{email} is staff already.", "input", "email", email=address)
        staff_id = new_id()
        session.add(
            StaffMember(id=staff_id, user_id=user.id, role=role.value, created_by_id=by, created_at=now, updated_at=now)
        )
        await session.flush()
        log.info("staff added", extra={"staff_user": str(user.id), "role": role.value, "by": str(by)})
        return Outcome(await _one(session, staff_id))


async def change_role(
    db: async_sessionmaker[AsyncSession],
    staff_id: uuid.UUID | None,
    role: StaffRole,
    by: uuid.UUID | None,
    now: datetime,
) -> Outcome[Any]:
    async with db.begin() as session:
        await session.execute(select(StaffMember.id).with_for_update().where(StaffMember.role == "SUPERADMIN"))
        row = await session.get(StaffMember, staff_id, with_for_update=True) if staff_id else None
        if row is None:
            return Outcome.fail("STAFF_NOT_FOUND", "No such staff member.", "input", "staffMemberId")
        if (
            row.role == StaffRole.SUPERADMIN.value
            and role is not StaffRole.SUPERADMIN
            and await _superadmins(session) == 1
        ):
            return Outcome.fail("LAST_SUPERADMIN", "The last superadmin stays superadmin.", "input", "role")
        row.role, row.updated_at = role.value, now
        await session.flush()
        log.info("staff role changed", extra={"staff_user": str(row.user_id), "role": role.value, "by": str(by)})
        return Outcome(await _one(session, row.id))


async def remove(
    db: async_sessionmaker[AsyncSession], staff_id: uuid.UUID | None, by: uuid.UUID | None, now: datetime
) -> Outcome[Any]:
    async with db.begin() as session:
        await session.execute(select(StaffMember.id).with_for_update().where(StaffMember.role == "SUPERADMIN"))
        row = await _one(session, staff_id) if staff_id else None
        if row is None:
            return Outcome.fail("STAFF_NOT_FOUND", "No such staff member.", "input", "staffMemberId")
        if row.role == StaffRole.SUPERADMIN.value and await _superadmins(session) == 1:
            return Outcome.fail(
                "LAST_SUPERADMIN", "The last superadmin cannot leave the staff.", "input", "staffMemberId"
            )
        await session.execute(delete(StaffMember).where(StaffMember.id == row.id))
        await sessions.revoke_all(session, row.user_id, now)
        log.info("staff removed", extra={"staff_user": str(row.user_id), "by": str(by)})
        return Outcome(row)


async def by_email(reads: async_sessionmaker[AsyncSession], email: str) -> Any:
    async with reads() as session:
        stmt = staff_rows().where(func.lower(User.email) == (normalize_email(email) or email.strip().lower()))
        return (await session.execute(stmt)).one_or_none()
