"""Coded failures that reach the client as GraphQL errors with `extensions.code`.

Anything raised that is not one of these is masked as INTERNAL. The message is a
template (see `gateway.i18n`), rendered in the caller's language when answered.
"""

from __future__ import annotations

from typing import Any, ClassVar

from gateway.i18n import Text, render


class GatewayError(Exception):
    code: ClassVar[str] = "INTERNAL"
    default_message: ClassVar[str] = "Unexpected error."

    def __init__(self, message: str | Text | None = None, **extensions: Any) -> None:
        self.text = message if isinstance(message, Text) else Text(message or self.default_message)
        self.message = self.render("en")
        super().__init__(self.message)
        self.extensions = {"code": self.code, **extensions}

    def render(self, language: str) -> str:
        return render(self.text.template, self.text.params, language)


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"
    default_message = "You must be logged in."


class Forbidden(GatewayError):
    code = "FORBIDDEN"
    default_message = "You do not have the right to do this."


class NotFound(GatewayError):
    code = "NOT_FOUND"
    default_message = "Not found."


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"
    default_message = "The request is not valid."


class RateLimited(GatewayError):
    code = "RATE_LIMITED"
    default_message = "Too many attempts; try again later."


class TokenNotAllowed(Forbidden):
    """Asked with an API token for what only a person in their own session may do."""

    default_message = "An API token cannot do this, whatever rights it holds: a person must do it, logged in themself."

    def __init__(self) -> None:
        super().__init__(None, reason="TOKEN_NOT_ALLOWED")


class StaffOnly(Forbidden):
    """A staff field asked by a customer, a token, or staff whose role does not include it."""

    def __init__(self, role: str, role_name: Text) -> None:
        super().__init__(
            Text("This is for the provider's staff, with the role of {role} or higher.", {"role": role_name}),
            reason="STAFF_ONLY",
            missingStaffRole=role,
        )


class NotForStaff(Forbidden):
    """Staff asking for what only a customer does: staff read organizations, they never act in one."""

    default_message = "The provider's staff cannot do this: it is for the organization's own members."

    def __init__(self) -> None:
        super().__init__(None, reason="STAFF_NOT_CUSTOMER")
