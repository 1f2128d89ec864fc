from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

import strawberry
from strawberry import relay

from gateway.db.models import User as UserRow
from permissions.fields import authenticated, in_person, inherited, public
from resolvers import identity
from resolvers.context import Context
from resolvers.results import Outcome
from schema import sql_json
from schema.errors import PASSWORD_CODES, user_error, user_errors
from schema.sql_source import Json, NodeId, Scalar, SqlType, sql_type

if TYPE_CHECKING:
    pass

Info = strawberry.Info[Context, None]


@strawberry.type(description="A person's login. The same user can belong to many organizations.")
class User(relay.Node):
    id: relay.NodeID[uuid.UUID]
    email: str = inherited(description="The login email (unique, case-insensitive).")
    full_name: str = inherited()
    recovery_email: str | None = inherited(
        description="Where password reset links go when set; otherwise they go to the login email."
    )
    language: str = inherited()
    email_verified: bool = inherited(
        description="Whether the login email is proven (a link from its mail opened). Until then, "
        "invitations sent to it are neither listed nor accepted by id."
    )
    email_verified_at: datetime | None = inherited()
    pending_email: str | None = inherited(
        description="An address asked for with changeEmail; it becomes the login email once verified."
    )
    created_at: datetime = inherited()

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        return cls(
            id=row.id,
            email=row.email,
            full_name=row.full_name,
            recovery_email=row.recovery_email,
            language=row.language,
            email_verified=row.email_verified_at is not None,
            email_verified_at=row.email_verified_at,
            pending_email=row.pending_email,
            created_at=row.created_at,
        )


# The compiled read path's source (schema/sql_source.py): a `users` row.
sql_type(
    "User",
    SqlType(
        fields={
            "id": NodeId("User"),
            "email": Scalar("email"),
            "fullName": Scalar("full_name"),
            "recoveryEmail": Scalar("recovery_email"),
            "language": Scalar("language"),
            "emailVerified": Json(lambda c: sql_json.boolean(c.email_verified_at.is_not(None))),
            "emailVerifiedAt": Scalar("email_verified_at", "datetime"),
            "pendingEmail": Scalar("pending_email"),
            "createdAt": Scalar("created_at", "datetime"),
        }
    ),
)


SignUpError, SignUpErrorCode = user_error(
    "SignUp", ("EMAIL_INVALID", "EMAIL_TAKEN", "FULL_NAME_REQUIRED", "FULL_NAME_TOO_LONG", *PASSWORD_CODES)
)
LogInError, LogInErrorCode = user_error("LogIn", ("INVALID_CREDENTIALS",))
LogOutError, LogOutErrorCode = user_error("LogOut", ("NOT_LOGGED_IN",))
ChangePasswordError, ChangePasswordErrorCode = user_error(
    "ChangePassword", ("INVALID_PASSWORD", "PASSWORD_UNCHANGED", *PASSWORD_CODES)
)
RequestPasswordResetError, RequestPasswordResetErrorCode = user_error("RequestPasswordReset", ("EMAIL_INVALID",))
ResetPasswordError, ResetPasswordErrorCode = user_error("ResetPassword", ("INVALID_TOKEN", *PASSWORD_CODES))
UpdateProfileError, UpdateProfileErrorCode = user_error(
    "UpdateProfile", ("FULL_NAME_REQUIRED", "FULL_NAME_TOO_LONG", "LANGUAGE_UNSUPPORTED")
)
SetRecoveryEmailError, SetRecoveryEmailErrorCode = user_error(
    "SetRecoveryEmail", ("EMAIL_INVALID", "INVALID_PASSWORD", "SAME_AS_LOGIN_EMAIL")
)


@strawberry.input
class SignUpInput:
    email: str
    password: str
    full_name: str


@strawberry.input
class LogInInput:
    email: str
    password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


@strawberry.input
class UpdateProfileInput:
    full_name: str | None = None
    language: str | None = strawberry.field(default=None, description="`it` or `en`.")


@strawberry.input
class SetRecoveryEmailInput:
    email: str | None = strawberry.field(description="The new recovery address; null or empty removes it.")
    current_password: str


@strawberry.type
class SignUpPayload:
    user: User | None
    session_token: str | None = strawberry.field(
        description="For non-browser clients: send as `Authorization: Bearer <token>`. Browsers get a cookie."
    )
    session_expires_at: datetime | None
    user_errors: list[SignUpError]  # type: ignore[valid-type]


@strawberry.type
class LogInPayload:
    user: User | None
    session_token: str | None = strawberry.field(
        description="For non-browser clients: send as `Authorization: Bearer <token>`. Browsers get a cookie."
    )
    session_expires_at: datetime | None
    user_errors: list[LogInError]  # type: ignore[valid-type]


@strawberry.type
class LogOutPayload:
    logged_out: bool
    user_errors: list[LogOutError]  # type: ignore[valid-type]


@strawberry.type
class ChangePasswordPayload:
    user: User | None
    user_errors: list[ChangePasswordError]  # type: ignore[valid-type]


@strawberry.type
class RequestPasswordResetPayload:
    requested: bool = strawberry.field(
        description="True whenever the address is well formed, whether or not an account uses it."
    )
    user_errors: list[RequestPasswordResetError]  # type: ignore[valid-type]


@strawberry.type
class ResetPasswordPayload:
    password_reset: bool
    user_errors: list[ResetPasswordError]  # type: ignore[valid-type]


@strawberry.type
class UpdateProfilePayload:
    user: User | None
    user_errors: list[UpdateProfileError]  # type: ignore[valid-type]


@strawberry.type
class SetRecoveryEmailPayload:
    user: User | None
    user_errors: list[SetRecoveryEmailError]  # type: ignore[valid-type]


def _session_payload(cls: Any, error: Any, codes: Any, outcome: Outcome[identity.LoggedIn]) -> Any:
    done = outcome.value
    return cls(
        user=User.from_row(done.user) if done else None,
        session_token=done.session.token if done else None,
        session_expires_at=done.session.expires_at if done else None,
        user_errors=user_errors(error, codes, outcome.problems),
    )


def _user_payload(cls: Any, error: Any, codes: Any, outcome: Outcome[UserRow]) -> Any:
    user = User.from_row(outcome.value) if outcome.value else None
    return cls(user=user, user_errors=user_errors(error, codes, outcome.problems))


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        extensions=[in_person(public())],
        description="Create a login and start a session; mails a link that verifies the address (verifyEmail).",
    )
    async def sign_up(self, info: Info, input: SignUpInput) -> SignUpPayload:
        outcome = await identity.sign_up(info.context, input.email, input.password, input.full_name)
        return _session_payload(SignUpPayload, SignUpError, SignUpErrorCode, outcome)

    @strawberry.mutation(
        extensions=[in_person(public())], description="Start a session: cookie for browsers, token for programs."
    )
    async def log_in(self, info: Info, input: LogInInput) -> LogInPayload:
        outcome = await identity.log_in(info.context, input.email, input.password)
        return _session_payload(LogInPayload, LogInError, LogInErrorCode, outcome)

    @strawberry.mutation(extensions=[in_person(authenticated())], description="End the current session.")
    async def log_out(self, info: Info) -> LogOutPayload:
        outcome = await identity.log_out(info.context)
        return LogOutPayload(logged_out=bool(outcome.value), user_errors=[])

    @strawberry.mutation(extensions=[in_person(authenticated())], description="Ends every other session of the user.")
    async def change_password(self, info: Info, input: ChangePasswordInput) -> ChangePasswordPayload:
        outcome = await identity.change_password(info.context, input.current_password, input.new_password)
        return _user_payload(ChangePasswordPayload, ChangePasswordError, ChangePasswordErrorCode, outcome)

    @strawberry.mutation(
        extensions=[in_person(public())], description="Mail a one-hour reset link, if an account uses the address."
    )
    async def request_password_reset(self, info: Info, input: RequestPasswordResetInput) -> RequestPasswordResetPayload:
        outcome = await identity.request_password_reset(info.context, input.email)
        errors = user_errors(RequestPasswordResetError, RequestPasswordResetErrorCode, outcome.problems)
        return RequestPasswordResetPayload(requested=outcome.ok, user_errors=errors)

    @strawberry.mutation(
        extensions=[in_person(public())], description="Set a new password with a reset token; ends every session."
    )
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:
        outcome = await identity.reset_password(info.context, input.token, input.new_password)
        errors = user_errors(ResetPasswordError, ResetPasswordErrorCode, outcome.problems)
        return ResetPasswordPayload(password_reset=outcome.ok, user_errors=errors)

    @strawberry.mutation(extensions=[in_person(authenticated())])
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UpdateProfilePayload:
        outcome = await identity.update_profile(info.context, input.full_name, input.language)
        return _user_payload(UpdateProfilePayload, UpdateProfileError, UpdateProfileErrorCode, outcome)

    @strawberry.mutation(extensions=[in_person(authenticated())], description="Needs the current password.")
    async def set_recovery_email(self, info: Info, input: SetRecoveryEmailInput) -> SetRecoveryEmailPayload:
        outcome = await identity.set_recovery_email(info.context, input.email, input.current_password)
        return _user_payload(SetRecoveryEmailPayload, SetRecoveryEmailError, SetRecoveryEmailErrorCode, outcome)
