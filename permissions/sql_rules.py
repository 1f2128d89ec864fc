"""A field's rule as a SQL predicate, for reads answered in one statement (`gateway/graphql/compiled`).

The rule is the field's own `PermissionExtension` (`permissions.fields`), the one the standard path asks in
Python; here it becomes an EXISTS over the caller's rows (`permissions.caller`) with the policy's SQL forms
(`membership_holds`, `membership_sees`), as `permissions.check.authorize` decides it: an active membership of
an organization that exists, the right (or one of the rights), the role, the product in scope. A rule this
module cannot express gives None, and the operation keeps to the standard path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from gateway.db.models import Organization
from permissions.caller import Caller
from permissions.fields import (
    InOrganization,
    IsAuthenticated,
    NotByStaff,
    NotByToken,
    PublicAccess,
    from_source,
)
from permissions.policy import ACTIVE, membership_holds, membership_sees
from permissions.rights import Role

UNKNOWN = None


def _in_organization(
    rule: InOrganization, caller: Caller, organization: ColumnElement[Any], product: ColumnElement[Any] | None
) -> ColumnElement[bool]:
    mine = caller.memberships("rule")
    conditions: list[ColumnElement[bool]] = [mine.c.organization_id == organization, mine.c.status == ACTIVE]
    if rule.right is not None:
        conditions.append(membership_holds(mine.c, rule.right))
    if rule.any_of:
        conditions.append(or_(*(membership_holds(mine.c, r) for r in rule.any_of)))
    if rule.role is not None:
        conditions.append(mine.c.role.in_([r.value for r in Role if r.rank >= rule.role.rank]))
    if product is not None:
        conditions.append(membership_sees(mine.c, product))
    organization_row = Organization.__table__.alias("alive")
    alive = exists().where(organization_row.c.id == mine.c.organization_id, organization_row.c.deleted_at.is_(None))
    return exists(select(mine.c.id).where(*conditions, alive))


def predicate(
    permissions: Iterable[Any],
    caller: Caller,
    organization: ColumnElement[Any] | None,
    product: ColumnElement[Any] | None = None,
    *,
    located: bool = False,
) -> ColumnElement[bool] | None:
    """The rule of a field whose object's organization (and product) are these SQL expressions, for a person in
    their own session or an API token (plans are made for no one else); None when it cannot be said in SQL.
    `located`: the organization was found from the field's arguments (a root field), not from the object."""
    found: list[ColumnElement[bool]] = []
    for rule in permissions:
        if isinstance(rule, NotByToken) and caller.principal.token is not None:
            return false()  # TOKEN_NOT_ALLOWED: the standard path says so
        if isinstance(rule, PublicAccess | NotByToken | NotByStaff | IsAuthenticated):
            continue  # logged in (a session or a token), and no staff
        if isinstance(rule, InOrganization) and organization is not None:  # `personal`: a person is no staff
            if rule.locate is not from_source and not located:
                return UNKNOWN
            found.append(_in_organization(rule, caller, organization, product))
            continue
        return UNKNOWN
    return and_(*found) if found else true()
