"""The one place that turns a membership (role, rights, product scope) into decisions.

`holds` and `sees_product` also exist as SQL expressions over the rows of
`permissions.caller` (`membership_holds`, `membership_sees`), so lists are cut in
the database with the same policy that guards single objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, literal, or_

from gateway.i18n import Text, text
from permissions.rights import ALL_RIGHTS, Right, Role, right_name

ACTIVE = "ACTIVE"
BLOCKED = "BLOCKED"


@dataclass(frozen=True, slots=True)
class Grant:
    """What one user may do in one organization: a membership, read as policy."""

    membership_id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID | None  # None: an organization's integration token, which has no person behind it
    role: Role
    granted: frozenset[Right]
    all_products: bool
    product_ids: frozenset[uuid.UUID]
    active: bool
    full: bool = False  # holds every right, whatever `granted` lists (an owner or admin acting in person)
    via_staff_view: bool = False  # the provider's staff reading an organization they opened, not a member

    @classmethod
    def from_row(cls, row: Any) -> Grant:
        """From a row of `permissions.caller` (the memberships columns, `full` and `staff_view`)."""
        return cls(
            membership_id=row.id,
            organization_id=row.organization_id,
            user_id=row.user_id,
            role=Role(row.role),
            granted=frozenset(Right(r) for r in row.rights),
            all_products=row.all_products,
            product_ids=frozenset(row.product_ids),
            active=row.status == ACTIVE,
            full=row.full,
            via_staff_view=row.staff_view,
        )

    @property
    def rights(self) -> frozenset[Right]:
        return ALL_RIGHTS if self.full else self.granted

    def holds(self, right: Right) -> bool:
        # Like `membership_holds`: a blocked membership holds nothing, whatever its role.
        return self.active and right in self.rights

    def at_least(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    def sees_product(self, product_id: uuid.UUID) -> bool:
        return self.all_products or product_id in self.product_ids

    def scope_seen(self, membership_id: uuid.UUID, product_ids: Iterable[uuid.UUID]) -> list[uuid.UUID] | None:
        """Which of a member's scoped products this grant may see named: its own scope whole; another's only
        with VIEW_PRODUCTS and as far as its own scope reaches (which products a scope names is product data)."""
        if membership_id == self.membership_id:
            return list(product_ids)
        if not self.holds(Right.VIEW_PRODUCTS):
            return None
        return [p for p in product_ids if self.sees_product(p)]


def membership_holds(membership: Any, right: Right) -> ColumnElement[bool]:
    """`Grant.holds(right)` as SQL over the columns of `permissions.caller`'s rows."""
    return and_(membership.status == ACTIVE, or_(membership.full, literal(right.value) == any_(membership.rights)))


def membership_sees(membership: Any, product_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """`Grant.sees_product(product_id)` as SQL over the columns of `permissions.caller`'s rows."""
    return or_(membership.all_products, product_id == any_(membership.product_ids))


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str | Text


def grant_refusal(
    grantor: Grant,
    role: Role,
    rights: Iterable[Right],
    all_products: bool,
    product_ids: Iterable[uuid.UUID],
) -> Refusal | None:
    """Why `grantor` may not hand out this role, rights and scope, or None when they may."""
    if role is Role.OWNER and grantor.role is not Role.OWNER:
        return Refusal("OWNER_REQUIRED", "Only an owner can make someone an owner.")
    wanted = ALL_RIGHTS if role in (Role.OWNER, Role.ADMIN) else frozenset(rights)
    missing = sorted(wanted - grantor.rights, key=lambda r: r.value)
    if missing:
        return Refusal(
            "RIGHT_NOT_HELD",
            text("You cannot grant rights you do not hold: {rights}.", rights=[right_name(r) for r in missing]),
        )
    if not grantor.all_products and (all_products or not set(product_ids) <= grantor.product_ids):
        return Refusal("SCOPE_NOT_HELD", "You cannot grant access to products outside your own scope.")
    return None


def may_manage(manager: Grant, target_role: Role) -> Refusal | None:
    """Whether `manager` may change, block or remove a member who holds `target_role`."""
    if target_role is Role.OWNER and manager.role is not Role.OWNER:
        return Refusal("OWNER_REQUIRED", "Only an owner can change, block or remove an owner.")
    if target_role is Role.ADMIN and not manager.at_least(Role.ADMIN):
        return Refusal("ADMIN_REQUIRED", "Only an owner or an admin can change, block or remove an admin.")
    return None
