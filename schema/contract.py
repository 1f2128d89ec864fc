from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

import strawberry
from strawberry import relay

from permissions.fields import in_person, inherited, requires
from permissions.rights import Right
from resolvers import contract
from resolvers.contract import ContractState
from schema.common import Info, decode_id, organization_argument
from schema.errors import user_error
from schema.payloads import payload

AcceptContractError = user_error("AcceptContract", ("VERSION_UNKNOWN", "VERSION_OUTDATED"))


@strawberry.type(description="Who accepted a version of the general conditions, on the organization's behalf.")
class ContractAcceptor:
    full_name: str = inherited()
    email: str = inherited()


@strawberry.type(description="The general conditions of contract: the version in force, and what was accepted.")
class Contract:
    version: str | None = inherited(description="The latest version this organization accepted; null if none.")
    current_version: str = inherited(description="The version in force now.")
    effective_from: date = inherited(description="The day (Italian time) the current version came into force.")
    accepted: bool = inherited(description="True when the organization accepted the version in force.")
    accepted_at: datetime | None = inherited(description="When `version` was accepted.")
    accepted_by: ContractAcceptor | None = inherited(
        description="Who accepted `version`; null if none, or if their account was deleted."
    )
    pdf_url: str = inherited(description="The version in force as PDF, for any logged-in user.")

    @classmethod
    def of(cls, found: ContractState) -> Self:
        latest = found.latest
        acceptor = None
        if latest is not None and latest.accepted_by_name is not None and latest.accepted_by_email is not None:
            acceptor = ContractAcceptor(full_name=latest.accepted_by_name, email=latest.accepted_by_email)
        return cls(
            version=latest.version if latest else None,
            current_version=found.current.version,
            effective_from=found.current.effective_from,
            accepted=found.accepted,
            accepted_at=latest.accepted_at if latest else None,
            accepted_by=acceptor,
            pdf_url=pdf_url(found.current.version),
        )

    @classmethod
    async def for_organization(cls, info: Info, organization_id: uuid.UUID) -> Self:
        return cls.of(await contract.state(info.context, organization_id))


def pdf_url(version: str) -> str:
    return f"/contract/{version}.pdf"


@strawberry.input
class AcceptContractInput:
    organization_id: relay.GlobalID
    version: str = strawberry.field(description="The version in force, as `Contract.currentVersion` names it.")


@strawberry.type
class AcceptContractPayload:
    contract: Contract | None
    user_errors: list[AcceptContractError[0]]  # type: ignore[valid-type]


@strawberry.type
class ContractMutation:
    @strawberry.mutation(
        extensions=[in_person(requires(Right.MANAGE_ORGANIZATION, organization_argument("input.organization_id")))],
        description="Accept the general conditions in force for the organization. Accepting again changes nothing.",
    )
    async def accept_contract(self, info: Info, input: AcceptContractInput) -> AcceptContractPayload | None:
        organization_id: uuid.UUID = decode_id(input.organization_id, "Organization")  # type: ignore[assignment]
        outcome = await contract.accept(info.context, organization_id, input.version)
        return await payload(
            info,
            AcceptContractPayload,
            AcceptContractError,
            outcome,
            contract=lambda found: Contract.for_organization(info, found),
        )
