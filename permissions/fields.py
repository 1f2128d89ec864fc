"""The rules fields declare, each shown in the SDL by its directive.

Every field of the API carries one rule:
- `public()`: anyone; `authenticated()`: a logged-in caller, about themself;
- `member()`: an active member of the organization the object belongs to;
- `requires(Right.X)`: a member holding that right (and, for a product, with it in scope);
  `requires_any(Right.X, Right.Y)`: one of them; `requires_role(Role.ADMIN)`: that role or above;
- `in_person(rule)`: `rule`, and never for an API token, whatever it holds (`@inPerson`): managing tokens,
  passwords, sessions and email addresses, and granting anything;
- `staff(StaffRole.X)`: the provider's staff holding that platform role or a higher one (`@staff`);
- `personal()`: about the caller's own membership, never a staff member's view of the organization (`@personal`);
- `customer(rule)`: `rule`, and never for staff, who read organizations but do not act as customers (`@customer`);
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
from graphql import OperationType
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from permissions.check import authorize
from permissions.errors import NotForStaff, StaffOnly, TokenNotAllowed, Unauthenticated
from permissions.rights import Right, Role
from permissions.staff import StaffRole, staff_role_name


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


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="For the provider's staff holding this platform role or a higher one; FORBIDDEN with "
    "`reason: STAFF_ONLY` for anyone else (customers and API tokens included).",
)
class Staff:
    role: StaffRole


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="About the caller's own membership: a staff member reading the organization gets FORBIDDEN "
    "with `reason: STAFF_NOT_CUSTOMER`.",
)
class Personal:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="What customers do: the provider's staff get FORBIDDEN with `reason: STAFF_NOT_CUSTOMER`.",
)
class Customer:
    pass


class StaffMemberOf(BasePermission):
    def __init__(self, role: StaffRole) -> None:
        self.role = role
        self._schema_directive = Staff(role=role)

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if not principal.is_authenticated:
            raise Unauthenticated
        if principal.staff_role is None or not principal.staff_role.includes(self.role):
            raise StaffOnly(self.role.value, staff_role_name(self.role))
        return True


class NotByStaff(BasePermission):
    _schema_directive = Customer()

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        if info.context.principal.staff_role is not None:
            raise NotForStaff
        return True


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
        personal: bool = False,
    ) -> None:
        self.locate = locate
        self.right = right
        self.role = role
        self.any_of = any_of
        self.personal = personal
        if personal:
            self._schema_directive = Personal()
        elif any_of:
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
            staff_view=not self.personal and info.operation.operation is not OperationType.MUTATION,
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


def personal(locate: Locator = from_source) -> PermissionExtension:
    """An active member, about their own membership: a staff member's view of the organization is refused."""
    return PermissionExtension([InOrganization(locate, personal=True)])


def staff(role: StaffRole) -> PermissionExtension:
    return PermissionExtension([StaffMemberOf(role)])


def customer(rule: PermissionExtension) -> PermissionExtension:
    """`rule`, asked only after refusing staff: staff never create, join or leave organizations as customers."""
    return PermissionExtension([NotByStaff(), *rule.permissions])


def in_person(rule: PermissionExtension) -> PermissionExtension:
    """`rule`, asked only after refusing API tokens: tokens never manage credentials or grant anything."""
    return PermissionExtension([NotByToken(), *rule.permissions])


INHERITED = Inherited()


def inherited(**kwargs: Any) -> Any:
    """A plain attribute field, marked in the SDL as covered by its object's rule."""
    return strawberry.field(directives=[INHERITED], **kwargs)
