"""Proving the login email: verifyEmail (the link from the mail), resending it, changing the address."""

from __future__ import annotations

import strawberry

from permissions.fields import authenticated, in_person, public
from resolvers import email_verification
from schema.common import Info
from schema.errors import user_error
from schema.identity import User
from schema.payloads import payload

VerifyEmailError = user_error("VerifyEmail", ("INVALID_TOKEN", "EMAIL_TAKEN"))
ResendEmailVerificationError = user_error("ResendEmailVerification", ("ALREADY_VERIFIED",))
ChangeEmailError = user_error("ChangeEmail", ("EMAIL_INVALID", "INVALID_PASSWORD", "EMAIL_UNCHANGED", "EMAIL_TAKEN"))


@strawberry.input
class VerifyEmailInput:
    token: str = strawberry.field(description="From the link `/verify-email?token=…` in the mail.")


@strawberry.input
class ChangeEmailInput:
    new_email: str
    current_password: str


@strawberry.type
class VerifyEmailPayload:
    verified: bool
    email: str | None = strawberry.field(description="The address now verified: the account's login email.")
    user_errors: list[VerifyEmailError[0]]  # type: ignore[valid-type]


@strawberry.type
class ResendEmailVerificationPayload:
    sent_to: str | None = strawberry.field(description="Where the new link went.")
    user_errors: list[ResendEmailVerificationError[0]]  # type: ignore[valid-type]


@strawberry.type
class ChangeEmailPayload:
    user: User | None = strawberry.field(description="With `pendingEmail` set; `email` changes once it is verified.")
    user_errors: list[ChangeEmailError[0]]  # type: ignore[valid-type]


@strawberry.type
class EmailVerificationMutation:
    @strawberry.mutation(
        extensions=[in_person(public())],
        description="Spend a verification link; needs no login (the link may open anywhere).",
    )
    async def verify_email(self, info: Info, input: VerifyEmailInput) -> VerifyEmailPayload:
        outcome = await email_verification.verify(info.context, input.token)
        return await payload(
            info,
            VerifyEmailPayload,
            VerifyEmailError,
            outcome,
            otherwise={"verified": False},
            verified=lambda _: True,
            email=lambda address: address,
        )

    @strawberry.mutation(
        extensions=[in_person(authenticated())],
        description="A new link for the address waiting for proof (at most 5 links an hour per account).",
    )
    async def resend_email_verification(self, info: Info) -> ResendEmailVerificationPayload:
        outcome = await email_verification.resend(info.context)
        return await payload(
            info,
            ResendEmailVerificationPayload,
            ResendEmailVerificationError,
            outcome,
            sent_to=lambda address: address,
        )

    @strawberry.mutation(
        extensions=[in_person(authenticated())],
        description="Mail a link to the new address; it replaces the login email once verified, "
        "and the old address is told. The current login email withdraws a pending change.",
    )
    async def change_email(self, info: Info, input: ChangeEmailInput) -> ChangeEmailPayload:
        outcome = await email_verification.change_email(info.context, input.new_email, input.current_password)
        return await payload(info, ChangeEmailPayload, ChangeEmailError, outcome, user=lambda row: User.from_row(row))
