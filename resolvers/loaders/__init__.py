from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers.loaders.organizations import (
    AuditPageLoader,
    GrantByOrganizationIdLoader,
    InvitationByIdLoader,
    InvitationsPageLoader,
    MemberByIdLoader,
    MemberByOrganizationAndUserLoader,
    MemberCountLoader,
    MembersPageLoader,
    MemberStatsLoader,
    OrganizationByIdLoader,
)
from resolvers.loaders.users import UserByIdLoader


@dataclass(frozen=True, slots=True)
class Loaders:
    """The DataLoaders of one request; never shared between requests."""

    user_by_id: UserByIdLoader
    grant_by_organization_id: GrantByOrganizationIdLoader
    organization_by_id: OrganizationByIdLoader
    member_by_id: MemberByIdLoader
    member_by_organization_and_user: MemberByOrganizationAndUserLoader
    members_page: MembersPageLoader
    member_count: MemberCountLoader
    member_stats: MemberStatsLoader
    invitation_by_id: InvitationByIdLoader
    invitations_page: InvitationsPageLoader
    audit_page: AuditPageLoader

    @classmethod
    def create(cls, db: async_sessionmaker[AsyncSession], user_id: uuid.UUID | None) -> Loaders:
        return cls(
            user_by_id=UserByIdLoader(db),
            grant_by_organization_id=GrantByOrganizationIdLoader(db, user_id),
            organization_by_id=OrganizationByIdLoader(db),
            member_by_id=MemberByIdLoader(db),
            member_by_organization_and_user=MemberByOrganizationAndUserLoader(db),
            members_page=MembersPageLoader(db),
            member_count=MemberCountLoader(db),
            member_stats=MemberStatsLoader(db),
            invitation_by_id=InvitationByIdLoader(db),
            invitations_page=InvitationsPageLoader(db),
            audit_page=AuditPageLoader(db),
        )
