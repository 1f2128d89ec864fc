from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import ApiToken, AuditEntry, Invitation, Membership, Organization, User
from permissions.caller import Caller
from permissions.policy import ACTIVE, Grant
from permissions.rights import Role
from resolvers.loaders.base import Loader
from resolvers.loaders.pages import OrganizationPageLoader, SortKey

# Members are always read with the person's name and login email beside them.
MEMBER_COLUMNS = (*Membership.__table__.c, User.full_name, User.email)


def members_query() -> Select[Any]:
    return select(*MEMBER_COLUMNS).join(User, User.id == Membership.user_id)


class GrantByOrganizationIdLoader(Loader[uuid.UUID, Grant]):
    """The caller's own membership in each organization, read as a Grant. Drives every permission check."""

    def __init__(self, db: async_sessionmaker[AsyncSession], caller: Caller) -> None:
        super().__init__(db)
        self.caller = caller

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        # Plain rows, not ORM objects: this runs on every request that touches an organization.
        mine = self.caller.memberships()
        rows = await session.execute(
            select(mine)
            .join(Organization, Organization.id == mine.c.organization_id)
            .where(mine.c.organization_id.in_(keys), Organization.deleted_at.is_(None))
        )
        return [(m.organization_id, Grant.from_row(m)) for m in rows]


class OrganizationByIdLoader(Loader[uuid.UUID, Organization]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(
            select(*Organization.__table__.c).where(Organization.id.in_(keys), Organization.deleted_at.is_(None))
        )
        return [(o.id, o) for o in rows]


class MemberByIdLoader(Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(members_query().where(Membership.id.in_(keys)))
        return [(r.id, r) for r in rows]


class MemberByOrganizationAndUserLoader(Loader[tuple[uuid.UUID, uuid.UUID], Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> Any:
        orgs = {o for o, _ in keys}
        users = {u for _, u in keys}
        rows = await session.execute(
            members_query().where(Membership.organization_id.in_(orgs), Membership.user_id.in_(users))
        )
        return [((r.organization_id, r.user_id), r) for r in rows]


class MemberStatsLoader(Loader[uuid.UUID, tuple[int, int]]):
    """(active members, active owners) per organization: what leaving and removing depend on."""

    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        active = Membership.status == ACTIVE
        rows = await session.execute(
            select(
                Membership.organization_id,
                func.count().filter(active),
                func.count().filter(active, Membership.role == Role.OWNER.value),
            )
            .where(Membership.organization_id.in_(keys))
            .group_by(Membership.organization_id)
        )
        return [(org, (members, owners)) for org, members, owners in rows]

    def align(self, keys: Sequence[uuid.UUID], found: Any) -> list[tuple[int, int] | None]:
        by_key = dict(found)
        return [by_key.get(key, (0, 0)) for key in keys]


class InvitationByIdLoader(Loader[uuid.UUID, Invitation]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(select(Invitation).where(Invitation.id.in_(keys)))
        return [(i.id, i) for i in rows.scalars()]


def _member_filters(filters: tuple[Any, ...]) -> list[ColumnElement[bool]]:
    (status,) = filters or (None,)
    return [Membership.status == status] if status else []


class MembersPageLoader(OrganizationPageLoader):
    sort = (
        SortKey(Membership.created_at, "created_at", datetime.fromisoformat),
        SortKey(Membership.id, "id", uuid.UUID),
    )

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return members_query().where(*_member_filters(filters))

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return Membership.organization_id


class InvitationsPageLoader(OrganizationPageLoader):
    descending = True
    sort = (
        SortKey(Invitation.created_at, "created_at", datetime.fromisoformat),
        SortKey(Invitation.id, "id", uuid.UUID),
    )

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        (status,) = filters or (None,)
        stmt = select(*Invitation.__table__.c)
        return stmt.where(Invitation.status == status) if status else stmt

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return Invitation.organization_id


def audit_rows() -> Select[Any]:
    """Audit entries with the actor's name and login email beside them, and the API token's name if one acted.
    The provider's staff act as the provider: customers read their role and reason, never who they are."""
    person = AuditEntry.actor_kind != "staff"
    return (
        select(
            *AuditEntry.__table__.c,
            case((person, User.full_name)).label("actor_name"),
            case((person, User.email)).label("actor_email"),
            ApiToken.name.label("actor_token_name"),
        )
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(ApiToken, ApiToken.id == AuditEntry.actor_token_id)
    )


class AuditPageLoader(OrganizationPageLoader):
    descending = True
    sort = (
        SortKey(AuditEntry.created_at, "created_at", datetime.fromisoformat),
        SortKey(AuditEntry.seq, "seq", int),
    )

    def query(self, filters: tuple[Any, ...]) -> Select[Any]:
        return audit_rows()

    def organization_column(self) -> ColumnElement[uuid.UUID]:
        return AuditEntry.organization_id


class AuditEntryByIdLoader(Loader[uuid.UUID, Any]):
    async def fetch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Any:
        rows = await session.execute(audit_rows().where(AuditEntry.id.in_(keys)))
        return [(r.id, r) for r in rows]
