"""The permission classes fields declare, each shown in the SDL by its directive.

Every field carries exactly one rule: `public()`, `authenticated()`, or (from the
organization domain on) `requires(Right.X)`. A field without one is a defect the
schema test catches.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from permissions.errors import Unauthenticated


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Open to anyone, logged in or not.",
)
class Public:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Needs a logged-in user (session cookie or bearer token); answers only about that user.",
)
class Authenticated:
    pass


class PublicAccess(BasePermission):
    _schema_directive = Public()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return True


class IsAuthenticated(BasePermission):
    message = Unauthenticated.default_message
    error_extensions = {"code": Unauthenticated.code}
    _schema_directive = Authenticated()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return bool(info.context.principal.is_authenticated)


def public() -> PermissionExtension:
    return PermissionExtension([PublicAccess()])


def authenticated() -> PermissionExtension:
    return PermissionExtension([IsAuthenticated()])
