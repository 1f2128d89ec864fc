"""Coded failures that reach the client as GraphQL errors with `extensions.code`.

Anything raised that is not one of these is masked as INTERNAL.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GatewayError(Exception):
    code: ClassVar[str] = "INTERNAL"
    default_message: ClassVar[str] = "Unexpected error."

    def __init__(self, message: str | None = None, **extensions: Any) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.extensions = {"code": self.code, **extensions}


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
