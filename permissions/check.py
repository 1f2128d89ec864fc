"""The decision every guarded field and `node(id:)` goes through."""

from __future__ import annotations

import uuid
from typing import Any

from gateway.i18n import Either, text
from permissions.errors import Forbidden, NotForStaff, NotFound, Unauthenticated
from permissions.policy import Grant
from permissions.rights import Right, Role, right_name, role_name


async def authorize(
    context: Any,
    organization_id: uuid.UUID | None,
    *,
    right: Right | None = None,
    role: Role | None = None,
    any_of: tuple[Right, ...] = (),
    product_id: uuid.UUID | None = None,
    staff_view: bool = False,
) -> Grant:
    """The caller's grant in the organization, or the error to answer with.

    Not a member (or blocked, or the organization does not exist) is NOT_FOUND,
    so nobody learns which organizations exist; so is a product outside the
    member's scope. A member lacking the right is FORBIDDEN, naming what is missing. A staff
    member's view of the organization passes only with `staff_view=True`, which the read paths give: staff
    read organizations; they change things through their own mutations only, never as a customer.
    """
    if not context.principal.is_authenticated:
        raise Unauthenticated
    grant: Grant | None = None
    if organization_id is not None:
        grant = await context.loaders.grant_by_organization_id.load(organization_id)
    if grant is None or not grant.active:
        raise NotFound
    if grant.via_staff_view and not staff_view:
        raise NotForStaff
    # Before any right: a product outside the member's scope must not be told apart from no product.
    if product_id is not None and not grant.sees_product(product_id):
        raise NotFound
    if right is not None and not grant.holds(right):
        raise Forbidden(
            text("This needs the right to {right} in this organization.", right=right_name(right)),
            missingRight=right.value,
        )
    if any_of and not any(grant.holds(r) for r in any_of):
        raise Forbidden(
            text(
                "This needs one of these rights in this organization: {rights}.",
                rights=Either([right_name(r) for r in any_of]),
            ),
            missingRight=any_of[0].value,
        )
    if role is not None and not grant.at_least(role):
        raise Forbidden(
            text("This needs the role of {role} in this organization.", role=role_name(role)), missingRole=role.value
        )
    return grant
