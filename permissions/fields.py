"""The rules fields declare, each shown in the SDL by its directive.

Every field of the API carries one rule:
- `public()`: anyone; `authenticated()`: a logged-in caller, about themself;
- `member()`: an active member of the organization the object belongs to;
- `requires(Right.X)`: a member holding that right (and, for a product, with it in scope);
  `requires_any(Right.X, Right.Y)`: one of them; `requires_role(Role.ADMIN)`: that role or above;
- `in_person(rule)`: `rule`, and never for an API token, whatever it holds (`@inPerson`): managing tokens,
  passwords, sessions and email addresses, and granting anything;
- `inherited()`: a plain attribute of an object whose edge already enforced its rule
  (checked once per object, never per scalar).
A field without one is a defect `tests/test_schema_sdl.py` catches.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from permissions.check import authorize
from permissions.errors import TokenNotAllowed, Unauthenticated
from permissions.rights import Right, Role


@dataclass(frozen=True, slots=True)
class Target:
    """What a guarded field acts on: an organization, and possibly one product in it."""

    organization_id: uuid.UUID | None
    product_id: uuid.UUID | None = None


Locator = Callable[[Any, strawberry.Info, dict[str, Any]], Awaitable[uuid.UUID | Target | None]]


async def from_source(source: Any, info: strawberry.Info, arguments: dict[str, Any]) -> uuid.UUID | None:
    return source.organization_id


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION], description="Open to anyone.")
class Public:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Needs a logged-in user (session cookie or bearer token); answers only about that user.",
)
class Authenticated:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Needs active membership of the organization the object belongs to; otherwise NOT_FOUND.",
)
class Member:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Needs this right in the object's organization, and for a product the member's product scope: "
    "NOT_FOUND for non-members and out-of-scope products, FORBIDDEN otherwise.",
)
class Requires:
    right: Right


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresAny",
    description="Needs at least one of these rights in the object's organization.",
)
class RequiresAny:
    rights: list[Right]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresRole",
    description="Needs this role (or a higher one) in the object's organization.",
)
class RequiresRole:
    role: Role


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Readable by whoever may see the enclosing object; the edge that led here enforced the rule.",
)
class Inherited:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="inPerson",
    description="Never for an API token, whatever rights it holds: a person logged in themself (or, where the "
    "field is public, anyone without a token). A token gets FORBIDDEN with `reason: TOKEN_NOT_ALLOWED`.",
)
class InPerson:
    pass


class NotByToken(BasePermission):
    _schema_directive = InPerson()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        if info.context.principal.token is not None:
            raise TokenNotAllowed
        return True


class PublicAccess(BasePermission):
    _schema_directive = Public()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return True


class IsAuthenticated(BasePermission):
    message = Unauthenticated.default_message
    error_extensions = {"code": Unauthenticated.code}
    _schema_directive = Authenticated()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        if not info.context.principal.is_authenticated:
            raise Unauthenticated  # coded, so its message is rendered in the caller's language
        return True


class InOrganization(BasePermission):
    def __init__(
        self,
        locate: Locator,
        *,
        right: Right | None = None,
        role: Role | None = None,
        any_of: tuple[Right, ...] = (),
    ) -> None:
        self.locate = locate
        self.right = right
        self.role = role
        self.any_of = any_of
        if any_of:
            self._schema_directive = RequiresAny(rights=list(any_of))
        elif right is not None:
            self._schema_directive = Requires(right=right)
        elif role is not None:
            self._schema_directive = RequiresRole(role=role)
        else:
            self._schema_directive = Member()

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        located = await self.locate(source, info, kwargs)
        target = located if isinstance(located, Target) else Target(located)
        await authorize(
            info.context,
            target.organization_id,
            right=self.right,
            role=self.role,
            any_of=self.any_of,
            product_id=target.product_id,
        )
        return True


class HoldsRight(BasePermission):
    """For optional payload fields: null, not an error, when the caller lacks the right."""

    def __init__(self, right: Right) -> None:
        self.right = right
        self._schema_directive = Requires(right=right)

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        organization_id = getattr(source, "organization_id", None)
        grant = await info.context.loaders.grant_by_organization_id.load(organization_id) if organization_id else None
        return grant is not None and grant.holds(self.right)


def null_without(right: Right) -> PermissionExtension:
    return PermissionExtension([HoldsRight(right)], fail_silently=True)


def public() -> PermissionExtension:
    return PermissionExtension([PublicAccess()])


def authenticated() -> PermissionExtension:
    return PermissionExtension([IsAuthenticated()])


def member(locate: Locator = from_source) -> PermissionExtension:
    return PermissionExtension([InOrganization(locate)])


def requires(right: Right, locate: Locator = from_source) -> PermissionExtension:
    return PermissionExtension([InOrganization(locate, right=right)])


def requires_any(*rights: Right, locate: Locator = from_source) -> PermissionExtension:
    return PermissionExtension([InOrganization(locate, any_of=rights)])


def requires_role(role: Role, locate: Locator = from_source) -> PermissionExtension:
    return PermissionExtension([InOrganization(locate, role=role)])


def in_person(rule: PermissionExtension) -> PermissionExtension:
    """`rule`, asked only after refusing API tokens: tokens never manage credentials or grant anything."""
    return PermissionExtension([NotByToken(), *rule.permissions])


INHERITED = Inherited()


def inherited(**kwargs: Any) -> Any:
    """A plain attribute field, marked in the SDL as covered by its object's rule."""
    return strawberry.field(directives=[INHERITED], **kwargs)
