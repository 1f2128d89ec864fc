from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from permissions.fields import customer, in_person, public, requires
from permissions.rights import Right, Role, Topic
from resolvers import invitations
from resolvers.invitations import InvitationDraft
from schema.common import Info, ProductScopeInput, decode_id, invitation_argument, organization_argument
from schema.errors import PASSWORD_CODES, user_error
from schema.invitations import Invitation
from schema.members import Member
from schema.payloads import payload

TOKEN_CODES = ("TOKEN_REQUIRED", "INVITATION_INVALID", "INVITATION_EXPIRED", "EMAIL_NOT_VERIFIED")
InviteMemberError = user_error(
    "InviteMember",
    (
        "EMAIL_INVALID",
        "ALREADY_MEMBER",
        "ALREADY_INVITED",
        "OWNER_REQUIRED",
        "RIGHT_NOT_HELD",
        "SCOPE_NOT_HELD",
        "PRODUCT_NOT_IN_ORGANIZATION",
    ),
)
AcceptInvitationError = user_error(
    "AcceptInvitation",
    (
        *TOKEN_CODES,
        "ACCOUNT_EXISTS",
        "ALREADY_MEMBER",
        "EMAIL_INVALID",
        "FULL_NAME_REQUIRED",
        "FULL_NAME_TOO_LONG",
        *PASSWORD_CODES,
    ),
)
DeclineInvitationError = user_error("DeclineInvitation", TOKEN_CODES)
RevokeInvitationError = user_error("RevokeInvitation", ("NOT_PENDING",))
ResendInvitationError = user_error("ResendInvitation", ("NOT_PENDING",))


@strawberry.input
class InviteMemberInput:
    organization_id: relay.GlobalID
    email: str
    role: Role = Role.MEMBER
    rights: list[Right] = strawberry.field(default_factory=list, description="For MEMBER; OWNER and ADMIN hold all.")
    product_scope: ProductScopeInput | None = strawberry.field(default=None, description="All products when omitted.")
    topics: list[Topic] | None = strawberry.field(default=None, description="Every topic when omitted.")


@strawberry.input(
    description="With `token` from the email. Logged out: also `fullName` and `password` to create the account. "
    "Logged in, the token works for any account (it proves the invited mailbox; the audit log records "
    "who accepted). Without it, `invitationId` works only for invitations to your own login email, "
    "once that address is verified."
)
class AcceptInvitationInput:
    token: str | None = None
    invitation_id: relay.GlobalID | None = None
    full_name: str | None = None
    password: str | None = None


@strawberry.input
class DeclineInvitationInput:
    token: str | None = None
    invitation_id: relay.GlobalID | None = None


@strawberry.input
class InvitationIdInput:
    invitation_id: relay.GlobalID


@strawberry.type
class InviteMemberPayload:
    invitation: Invitation | None
    user_errors: list[InviteMemberError[0]]  # type: ignore[valid-type]


@strawberry.type
class AcceptInvitationPayload:
    member: Member | None
    session_token: str | None = strawberry.field(description="Set when the invitation created the account.")
    session_expires_at: datetime | None
    user_errors: list[AcceptInvitationError[0]]  # type: ignore[valid-type]


@strawberry.type
class DeclineInvitationPayload:
    declined: bool
    user_errors: list[DeclineInvitationError[0]]  # type: ignore[valid-type]


@strawberry.type
class RevokeInvitationPayload:
    invitation: Invitation | None
    user_errors: list[RevokeInvitationError[0]]  # type: ignore[valid-type]


@strawberry.type
class ResendInvitationPayload:
    invitation: Invitation | None
    user_errors: list[ResendInvitationError[0]]  # type: ignore[valid-type]


INVITATION = invitation_argument("input.invitation_id")


async def _member(info: Info, member_id: object) -> Member:
    return Member.from_row(await info.context.loaders.member_by_id.load(member_id))


@strawberry.type
class InvitationMutation:
    @strawberry.mutation(
        extensions=[in_person(requires(Right.MANAGE_MEMBERS, organization_argument("input.organization_id")))]
    )
    async def invite_member(self, info: Info, input: InviteMemberInput) -> InviteMemberPayload | None:
        scope = input.product_scope
        draft = InvitationDraft(
            email=input.email,
            role=input.role,
            rights=input.rights,
            all_products=scope.all_products if scope else True,
            product_ids=scope.ids() if scope else [],
            topics=input.topics,
        )
        organization_id = decode_id(input.organization_id, "Organization")
        outcome = await invitations.invite(info.context, organization_id, draft)  # type: ignore[arg-type]
        now = info.context.clock.now()
        return await payload(
            info, InviteMemberPayload, InviteMemberError, outcome, invitation=lambda row: Invitation.from_row(row, now)
        )

    @strawberry.mutation(extensions=[in_person(customer(public()))])
    async def accept_invitation(self, info: Info, input: AcceptInvitationInput) -> AcceptInvitationPayload:
        outcome = await invitations.accept(
            info.context,
            input.token,
            decode_id(input.invitation_id, "Invitation"),
            input.full_name,
            input.password,
        )
        return await payload(
            info,
            AcceptInvitationPayload,
            AcceptInvitationError,
            outcome,
            member=lambda done: _member(info, done.membership.id),
            session_token=lambda done: done.session.session.token if done.session else None,
            session_expires_at=lambda done: done.session.session.expires_at if done.session else None,
        )

    @strawberry.mutation(extensions=[in_person(customer(public()))])
    async def decline_invitation(self, info: Info, input: DeclineInvitationInput) -> DeclineInvitationPayload:
        outcome = await invitations.decline(info.context, input.token, decode_id(input.invitation_id, "Invitation"))
        return await payload(
            info,
            DeclineInvitationPayload,
            DeclineInvitationError,
            outcome,
            otherwise={"declined": False},
            declined=lambda _: True,
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_MEMBERS, INVITATION)])
    async def revoke_invitation(self, info: Info, input: InvitationIdInput) -> RevokeInvitationPayload | None:
        outcome = await invitations.revoke(info.context, decode_id(input.invitation_id, "Invitation"))  # type: ignore[arg-type]
        now = info.context.clock.now()
        return await payload(
            info,
            RevokeInvitationPayload,
            RevokeInvitationError,
            outcome,
            invitation=lambda r: Invitation.from_row(r, now),
        )

    @strawberry.mutation(
        extensions=[in_person(requires(Right.MANAGE_MEMBERS, INVITATION))], description="A new link, valid anew."
    )
    async def resend_invitation(self, info: Info, input: InvitationIdInput) -> ResendInvitationPayload | None:
        outcome = await invitations.resend(info.context, decode_id(input.invitation_id, "Invitation"))  # type: ignore[arg-type]
        now = info.context.clock.now()
        return await payload(
            info,
            ResendInvitationPayload,
            ResendInvitationError,
            outcome,
            invitation=lambda r: Invitation.from_row(r, now),
        )
