from __future__ import annotations

import strawberry
from strawberry import relay

from permissions.fields import in_person, member, requires
from permissions.rights import Right, Role, Topic
from resolvers import members
from resolvers.members import GrantChange
from schema.common import Info, ProductScopeInput, decode_id, member_argument, organization_argument
from schema.errors import user_error
from schema.members import Member
from schema.payloads import payload

MANAGE_CODES = ("CANNOT_CHANGE_SELF", "OWNER_REQUIRED", "ADMIN_REQUIRED", "LAST_OWNER")
UpdateMemberError = user_error(
    "UpdateMember", (*MANAGE_CODES, "RIGHT_NOT_HELD", "SCOPE_NOT_HELD", "PRODUCT_NOT_IN_ORGANIZATION")
)
BlockMemberError = user_error("BlockMember", MANAGE_CODES)
UnblockMemberError = user_error("UnblockMember", MANAGE_CODES)
RemoveMemberError = user_error("RemoveMember", MANAGE_CODES)
UpdateMyNotificationsError = user_error("UpdateMyNotifications", ("TOPIC_INVALID",))


@strawberry.input(description="Only what is given changes.")
class UpdateMemberInput:
    member_id: relay.GlobalID
    role: Role | None = None
    rights: list[Right] | None = strawberry.field(default=None, description="For MEMBER; OWNER and ADMIN hold all.")
    product_scope: ProductScopeInput | None = None
    topics: list[Topic] | None = None


@strawberry.input
class MemberIdInput:
    member_id: relay.GlobalID


@strawberry.input
class UpdateMyNotificationsInput:
    organization_id: relay.GlobalID
    topics: list[Topic]


@strawberry.type
class UpdateMemberPayload:
    member: Member | None
    user_errors: list[UpdateMemberError[0]]  # type: ignore[valid-type]


@strawberry.type
class BlockMemberPayload:
    member: Member | None
    user_errors: list[BlockMemberError[0]]  # type: ignore[valid-type]


@strawberry.type
class UnblockMemberPayload:
    member: Member | None
    user_errors: list[UnblockMemberError[0]]  # type: ignore[valid-type]


@strawberry.type
class RemoveMemberPayload:
    removed_member_id: strawberry.ID | None
    user_errors: list[RemoveMemberError[0]]  # type: ignore[valid-type]


@strawberry.type
class UpdateMyNotificationsPayload:
    member: Member | None
    user_errors: list[UpdateMyNotificationsError[0]]  # type: ignore[valid-type]


MEMBER = member_argument("input.member_id")


async def _reload(info: Info, row: object) -> Member:
    fresh = await info.context.loaders.member_by_id.load(row.id)  # type: ignore[attr-defined]
    return Member.from_row(fresh)


def _member_id(value: relay.GlobalID) -> object:
    return decode_id(value, "Member")


@strawberry.type
class MemberMutation:
    @strawberry.mutation(
        extensions=[in_person(requires(Right.MANAGE_MEMBERS, MEMBER))],
        description="Nobody can grant more than they hold; only an owner makes or unmakes owners.",
    )
    async def update_member(self, info: Info, input: UpdateMemberInput) -> UpdateMemberPayload | None:
        scope = input.product_scope
        change = GrantChange(
            role=input.role,
            rights=input.rights,
            all_products=scope.all_products if scope else None,
            product_ids=scope.ids() if scope else None,
            topics=input.topics,
        )
        outcome = await members.update_member(info.context, _member_id(input.member_id), change)  # type: ignore[arg-type]
        return await payload(
            info, UpdateMemberPayload, UpdateMemberError, outcome, member=lambda row: _reload(info, row)
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_MEMBERS, MEMBER)], description="A blocked member sees nothing."
    )
    async def block_member(self, info: Info, input: MemberIdInput) -> BlockMemberPayload | None:
        outcome = await members.set_blocked(info.context, _member_id(input.member_id), True)  # type: ignore[arg-type]
        return await payload(info, BlockMemberPayload, BlockMemberError, outcome, member=lambda row: _reload(info, row))

    @strawberry.mutation(extensions=[in_person(requires(Right.MANAGE_MEMBERS, MEMBER))])
    async def unblock_member(self, info: Info, input: MemberIdInput) -> UnblockMemberPayload | None:
        outcome = await members.set_blocked(info.context, _member_id(input.member_id), False)  # type: ignore[arg-type]
        return await payload(
            info, UnblockMemberPayload, UnblockMemberError, outcome, member=lambda row: _reload(info, row)
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_MEMBERS, MEMBER)], description="Their account stays.")
    async def remove_member(self, info: Info, input: MemberIdInput) -> RemoveMemberPayload | None:
        outcome = await members.remove_member(info.context, _member_id(input.member_id))  # type: ignore[arg-type]
        return await payload(
            info,
            RemoveMemberPayload,
            RemoveMemberError,
            outcome,
            removed_member_id=lambda _: strawberry.ID(str(input.member_id)),
        )

    @strawberry.mutation(extensions=[in_person(member(organization_argument("input.organization_id")))])
    async def update_my_notifications(
        self, info: Info, input: UpdateMyNotificationsInput
    ) -> UpdateMyNotificationsPayload | None:
        organization_id = decode_id(input.organization_id, "Organization")
        outcome = await members.update_notifications(info.context, organization_id, input.topics)  # type: ignore[arg-type]
        return await payload(
            info,
            UpdateMyNotificationsPayload,
            UpdateMyNotificationsError,
            outcome,
            member=lambda row: _reload(info, row),
        )
