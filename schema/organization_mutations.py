from __future__ import annotations

import strawberry
from strawberry import relay

from permissions.fields import authenticated, customer, in_person, member, requires, requires_role
from permissions.rights import Right, Role
from resolvers import logos, members, organizations
from resolvers.organizations import OrganizationDraft
from schema.common import Info, decode_id, organization_argument
from schema.errors import user_error
from schema.organizations import Organization, OrganizationKind
from schema.payloads import payload

DETAIL_CODES = (
    "NAME_INVALID",
    "COUNTRY_INVALID",
    "TAX_CODE_INVALID",
    "VAT_NUMBER_INVALID",
    "PHONE_INVALID",
    "POSTAL_CODE_INVALID",
    "ADDRESS_INVALID",
)
CreateOrganizationError = user_error(
    "CreateOrganization",
    (*DETAIL_CODES, "KIND_INVALID", "LEGAL_NAME_INVALID", "TAX_CODE_REQUIRED", "VAT_NUMBER_REQUIRED"),
)
UpdateOrganizationError = user_error("UpdateOrganization", (*DETAIL_CODES, "LEGAL_IDENTITY_IMMUTABLE"))
SwitchOrganizationError = user_error("SwitchOrganization", ("ORGANIZATION_UNAVAILABLE",))
DeleteOrganizationError = user_error(
    "DeleteOrganization", ("CONFIRMATION_MISMATCH", "ACTIVE_PRODUCTS", "PREPAID_BALANCE", "UNPAID_INVOICES")
)
SetOrganizationLogoError = user_error(
    "SetOrganizationLogo", ("TOO_LARGE", "INVALID_BASE64", "UNSUPPORTED_FORMAT", "BAD_DIMENSIONS")
)
RemoveOrganizationLogoError = user_error("RemoveOrganizationLogo", ("NO_LOGO",))
LeaveOrganizationError = user_error("LeaveOrganization", ("LAST_OWNER", "SOLE_MEMBER"))
TransferOwnershipError = user_error("TransferOwnership", ("NOT_A_MEMBER", "CANNOT_CHANGE_SELF"))


@strawberry.input
class AddressInput:
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    province: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2; IT when omitted.")


@strawberry.input
class CreateOrganizationInput:
    name: str
    kind: OrganizationKind
    legal_name: str
    tax_code: str | None = None
    vat_number: str | None = None
    address: AddressInput | None = None
    phone: str | None = None


@strawberry.input(description="Only what is given changes. Legal name, tax code and VAT number cannot change.")
class UpdateOrganizationInput:
    organization_id: relay.GlobalID
    name: str | None = None
    address: AddressInput | None = None
    phone: str | None = None
    legal_name: str | None = None
    tax_code: str | None = None
    vat_number: str | None = None


@strawberry.input
class OrganizationIdInput:
    organization_id: relay.GlobalID


@strawberry.input
class DeleteOrganizationInput:
    organization_id: relay.GlobalID
    confirm_name: str = strawberry.field(description="The organization's name, typed again.")
    send_invoices: bool = strawberry.field(
        default=False, description="Mail the organization's paid invoices (PDF) to you before it goes."
    )


@strawberry.input
class SetOrganizationLogoInput:
    organization_id: relay.GlobalID
    content_base64: str = strawberry.field(description="A PNG, JPEG or WebP image of at most 512 KiB, base64.")


@strawberry.input
class TransferOwnershipInput:
    organization_id: relay.GlobalID
    to_member_id: relay.GlobalID
    remain_owner: bool = strawberry.field(default=False, description="Stay an owner too; otherwise become ADMIN.")


def _draft(data: CreateOrganizationInput | UpdateOrganizationInput) -> OrganizationDraft:
    address = data.address or AddressInput()
    return OrganizationDraft(
        name=data.name,
        kind=data.kind.value if isinstance(data, CreateOrganizationInput) else None,
        legal_name=data.legal_name,
        tax_code=data.tax_code,
        vat_number=data.vat_number,
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        province=address.province,
        country=address.country,
        phone=data.phone,
    )


def _org_id(value: relay.GlobalID) -> object:
    return decode_id(value, "Organization")


@strawberry.type
class CreateOrganizationPayload:
    organization: Organization | None
    user_errors: list[CreateOrganizationError[0]]  # type: ignore[valid-type]


@strawberry.type
class UpdateOrganizationPayload:
    organization: Organization | None
    user_errors: list[UpdateOrganizationError[0]]  # type: ignore[valid-type]


@strawberry.type
class SwitchOrganizationPayload:
    organization: Organization | None
    user_errors: list[SwitchOrganizationError[0]]  # type: ignore[valid-type]


@strawberry.type
class DeleteOrganizationPayload:
    deleted_organization_id: strawberry.ID | None
    user_errors: list[DeleteOrganizationError[0]]  # type: ignore[valid-type]


@strawberry.type
class SetOrganizationLogoPayload:
    organization: Organization | None
    user_errors: list[SetOrganizationLogoError[0]]  # type: ignore[valid-type]


@strawberry.type
class RemoveOrganizationLogoPayload:
    organization: Organization | None
    user_errors: list[RemoveOrganizationLogoError[0]]  # type: ignore[valid-type]


@strawberry.type
class LeaveOrganizationPayload:
    left_organization_id: strawberry.ID | None
    user_errors: list[LeaveOrganizationError[0]]  # type: ignore[valid-type]


@strawberry.type
class TransferOwnershipPayload:
    organization: Organization | None
    user_errors: list[TransferOwnershipError[0]]  # type: ignore[valid-type]


ORG = organization_argument("input.organization_id")


@strawberry.type
class OrganizationMutation:
    @strawberry.mutation(
        extensions=[in_person(customer(authenticated()))], description="The creator becomes its OWNER."
    )
    async def create_organization(self, info: Info, input: CreateOrganizationInput) -> CreateOrganizationPayload:
        outcome = await organizations.create(info.context, _draft(input))
        return await payload(
            info, CreateOrganizationPayload, CreateOrganizationError, outcome, organization=Organization.from_row
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_ORGANIZATION, ORG)])
    async def update_organization(self, info: Info, input: UpdateOrganizationInput) -> UpdateOrganizationPayload | None:
        outcome = await organizations.update_details(info.context, _org_id(input.organization_id), _draft(input))  # type: ignore[arg-type]
        return await payload(
            info, UpdateOrganizationPayload, UpdateOrganizationError, outcome, organization=Organization.from_row
        )

    @strawberry.mutation(extensions=[in_person(member(ORG))], description="Make this the organization frontends open.")
    async def switch_organization(self, info: Info, input: OrganizationIdInput) -> SwitchOrganizationPayload | None:
        outcome = await organizations.switch(info.context, _org_id(input.organization_id))  # type: ignore[arg-type]
        return await payload(
            info, SwitchOrganizationPayload, SwitchOrganizationError, outcome, organization=Organization.from_row
        )

    @strawberry.mutation(extensions=[requires_role(Role.OWNER, ORG)], description="See deletionBlockers first.")
    async def delete_organization(self, info: Info, input: DeleteOrganizationInput) -> DeleteOrganizationPayload | None:
        outcome = await organizations.delete_organization(
            info.context,
            _org_id(input.organization_id),  # type: ignore[arg-type]
            input.confirm_name,
            input.send_invoices,
        )
        return await payload(
            info,
            DeleteOrganizationPayload,
            DeleteOrganizationError,
            outcome,
            deleted_organization_id=lambda _: strawberry.ID(str(input.organization_id)),
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_ORGANIZATION, ORG)])
    async def set_organization_logo(
        self, info: Info, input: SetOrganizationLogoInput
    ) -> SetOrganizationLogoPayload | None:
        outcome = await logos.set_logo(info.context, _org_id(input.organization_id), input.content_base64)  # type: ignore[arg-type]
        return await payload(
            info, SetOrganizationLogoPayload, SetOrganizationLogoError, outcome, organization=Organization.from_row
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_ORGANIZATION, ORG)])
    async def remove_organization_logo(
        self, info: Info, input: OrganizationIdInput
    ) -> RemoveOrganizationLogoPayload | None:
        outcome = await logos.remove_logo(info.context, _org_id(input.organization_id))  # type: ignore[arg-type]
        return await payload(
            info,
            RemoveOrganizationLogoPayload,
            RemoveOrganizationLogoError,
            outcome,
            organization=Organization.from_row,
        )

    @strawberry.mutation(
        extensions=[in_person(member(ORG))], description="See leaveBlockers first. Your account stays."
    )
    async def leave_organization(self, info: Info, input: OrganizationIdInput) -> LeaveOrganizationPayload | None:
        outcome = await members.leave(info.context, _org_id(input.organization_id))  # type: ignore[arg-type]
        return await payload(
            info,
            LeaveOrganizationPayload,
            LeaveOrganizationError,
            outcome,
            left_organization_id=lambda _: strawberry.ID(str(input.organization_id)),
        )

    @strawberry.mutation(
        extensions=[in_person(requires_role(Role.OWNER, ORG))],
        description="Make another member OWNER and legal representative.",
    )
    async def transfer_ownership(self, info: Info, input: TransferOwnershipInput) -> TransferOwnershipPayload | None:
        to_member = decode_id(input.to_member_id, "Member")
        if to_member is None:
            outcome = members.not_a_member()
        else:
            outcome = await members.transfer_ownership(
                info.context,
                _org_id(input.organization_id),  # type: ignore[arg-type]
                to_member,
                input.remain_owner,
            )
        return await payload(
            info, TransferOwnershipPayload, TransferOwnershipError, outcome, organization=Organization.from_row
        )
