from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from permissions.errors import BadUserInput
from permissions.fields import authenticated, customer, in_person, requires_role
from permissions.rights import Right, Role
from resolvers import api_token_admin
from resolvers.api_token_admin import Issued, TokenDraft
from schema.api_tokens import ApiToken
from schema.common import Info, decode_id, organization_argument
from schema.errors import user_error
from schema.payloads import payload

SETTINGS_CODES = ("NAME_INVALID", "EXPIRY_IN_PAST", "EXPIRY_TOO_LONG", "INVALID_CIDR")
CreatePersonalAccessTokenError = user_error(
    "CreatePersonalAccessToken", (*SETTINGS_CODES, "ORGANIZATION_NOT_FOUND", "RIGHT_NOT_HELD", "PRODUCT_NOT_IN_SCOPE")
)
CreateIntegrationTokenError = user_error(
    "CreateIntegrationToken", (*SETTINGS_CODES, "RIGHT_NOT_HELD", "SCOPE_NOT_HELD", "PRODUCT_NOT_IN_ORGANIZATION")
)
RevokeApiTokenError = user_error("RevokeApiToken", ("ALREADY_REVOKED",))
RotateApiTokenError = user_error("RotateApiToken", ("NOT_ACTIVE",))


def _ids(values: list[relay.GlobalID] | None, type_name: str) -> list[uuid.UUID] | None:
    if values is None:
        return None
    ids = [decode_id(v, type_name) for v in values]
    if None in ids:
        if type_name == "Product":
            raise BadUserInput("`productIds` must be ids of products.")
        raise BadUserInput("`organizationIds` must be ids of organizations.")
    return [i for i in ids if i is not None]


@strawberry.input
class CreatePersonalAccessTokenInput:
    name: str
    expires_at: datetime = strawberry.field(description="Required; at most 366 days ahead.")
    organization_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Only these organizations; null: every organization you belong to, now and later."
    )
    rights: list[Right] | None = strawberry.field(
        default=None, description="At most these rights (always cut to yours in each organization); null: all yours."
    )
    product_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Only these products; null: every product you see."
    )
    ip_allowlist: list[str] = strawberry.field(default_factory=list, description="Addresses or CIDR networks.")


@strawberry.input
class CreateIntegrationTokenInput:
    organization_id: relay.GlobalID
    name: str
    expires_at: datetime = strawberry.field(description="Required; at most 366 days ahead.")
    rights: list[Right] | None = strawberry.field(
        default=None, description="Within yours; null: every right you hold here."
    )
    product_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Within your product scope; null: your whole scope."
    )
    ip_allowlist: list[str] = strawberry.field(default_factory=list, description="Addresses or CIDR networks.")


@strawberry.input
class ApiTokenIdInput:
    token_id: relay.GlobalID


@strawberry.type
class CreatePersonalAccessTokenPayload:
    token: ApiToken | None
    secret: str | None = strawberry.field(description="Shown only in this answer: store it now.")
    user_errors: list[CreatePersonalAccessTokenError[0]]  # type: ignore[valid-type]


@strawberry.type
class CreateIntegrationTokenPayload:
    token: ApiToken | None
    secret: str | None = strawberry.field(description="Shown only in this answer: store it now.")
    user_errors: list[CreateIntegrationTokenError[0]]  # type: ignore[valid-type]


@strawberry.type
class RevokeApiTokenPayload:
    token: ApiToken | None
    user_errors: list[RevokeApiTokenError[0]]  # type: ignore[valid-type]


@strawberry.type
class RotateApiTokenPayload:
    token: ApiToken | None
    secret: str | None = strawberry.field(description="The new secret, shown only in this answer; the old one "
                                          "stops working now.")  # fmt: skip
    user_errors: list[RotateApiTokenError[0]]  # type: ignore[valid-type]


def _token(info: Info) -> Any:
    return lambda issued: ApiToken.from_row(issued.token, info.context.clock.now())


def _secret(issued: Issued) -> str | None:
    return issued.secret


@strawberry.type
class ApiTokenMutation:
    @strawberry.mutation(
        extensions=[in_person(customer(authenticated()))],
        description="A token that acts as you, within your rights as they are at each request.",
    )
    async def create_personal_access_token(
        self, info: Info, input: CreatePersonalAccessTokenInput
    ) -> CreatePersonalAccessTokenPayload | None:
        draft = TokenDraft(
            name=input.name,
            expires_at=input.expires_at,
            rights=input.rights,
            product_ids=_ids(input.product_ids, "Product"),
            ip_allowlist=input.ip_allowlist,
            organization_ids=_ids(input.organization_ids, "Organization"),
        )
        outcome = await api_token_admin.create_personal(info.context, draft)
        return await payload(
            info,
            CreatePersonalAccessTokenPayload,
            CreatePersonalAccessTokenError,
            outcome,
            token=_token(info),
            secret=_secret,
        )

    @strawberry.mutation(
        extensions=[in_person(requires_role(Role.ADMIN, organization_argument("input.organization_id")))],
        description="A token of the organization, for a partner's program: no person behind it, so it outlives "
        "staff changes. Its rights and product scope are within yours.",
    )
    async def create_integration_token(
        self, info: Info, input: CreateIntegrationTokenInput
    ) -> CreateIntegrationTokenPayload | None:
        draft = TokenDraft(
            name=input.name,
            expires_at=input.expires_at,
            rights=input.rights,
            product_ids=_ids(input.product_ids, "Product"),
            ip_allowlist=input.ip_allowlist,
        )
        organization_id = decode_id(input.organization_id, "Organization")
        outcome = await api_token_admin.create_integration(info.context, organization_id, draft)  # type: ignore[arg-type]
        return await payload(
            info,
            CreateIntegrationTokenPayload,
            CreateIntegrationTokenError,
            outcome,
            token=_token(info),
            secret=_secret,
        )

    @strawberry.mutation(
        extensions=[in_person(authenticated())],
        description="Your own personal token, or (owners and admins) your organization's integration token; "
        "NOT_FOUND otherwise. It stops working with the next request.",
    )
    async def revoke_api_token(self, info: Info, input: ApiTokenIdInput) -> RevokeApiTokenPayload | None:
        outcome = await api_token_admin.revoke(info.context, decode_id(input.token_id, "ApiToken"))
        return await payload(info, RevokeApiTokenPayload, RevokeApiTokenError, outcome, token=_token(info))

    @strawberry.mutation(
        extensions=[in_person(authenticated())],
        description="A new secret with the same settings and expiry; the old secret stops working at once. "
        "Who may: as for revokeApiToken.",
    )
    async def rotate_api_token(self, info: Info, input: ApiTokenIdInput) -> RotateApiTokenPayload | None:
        outcome = await api_token_admin.rotate(info.context, decode_id(input.token_id, "ApiToken"))
        return await payload(
            info, RotateApiTokenPayload, RotateApiTokenError, outcome, token=_token(info), secret=_secret
        )
