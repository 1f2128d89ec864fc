"""The memberships a request acts through, as one SQL selectable.

Every permission decision reads a caller's membership: the Python checks through
`Grant`, the lists through SQL joins. Both read the same rows from here, so what a
caller may do is decided once, in one query shape, whoever the caller is: a
person's session; an API token narrows these rows (`permissions.token_rows`); a
staff member has none but one per organization they opened with a reason in the
last `VIEW_LIFETIME` (`staff_view_rows`, read off the audit log, so what opens an
organization to staff is exactly what its owners read). None of them changes a
loader or a check.

Each row has the columns of `memberships` plus `full`: whether the row holds every
right (an owner or admin acting in person), so `rights` need not list them; and
`staff_view`: the row is a staff member's view, not a membership.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, bindparam, cast, exists, false, literal, null, select, true

from gateway.db.models import AuditEntry, Membership, Organization
from permissions.principal import Principal
from permissions.rights import Role
from permissions.staff import VIEW_ACTION, VIEW_LIFETIME, VIEW_RIGHTS
from permissions.token_rows import token_rows

FULL_ROLES = (Role.OWNER.value, Role.ADMIN.value)
CALLER_USER_ID = "caller_user_id"


def member_rows() -> Select[Any]:
    """Every membership, read as policy: what a member holds in person."""
    return select(*Membership.__table__.c, Membership.role.in_(FULL_ROLES).label("full"), false().label("staff_view"))


def _value(column: str, value: Any) -> ColumnElement[Any]:
    return literal(value, type_=Membership.__table__.c[column].type)


def staff_view_rows(staff_user_id: uuid.UUID, now: datetime) -> Select[Any]:
    """A staff member's view of the organizations they opened lately: a member holding `VIEW_RIGHTS` on every
    product of each."""
    columns = Membership.__table__.c
    values: dict[str, ColumnElement[Any]] = {
        "id": Organization.id,  # no membership: the view is named by the organization it opens
        "organization_id": Organization.id,
        "user_id": cast(null(), columns["user_id"].type),
        "role": _value("role", Role.MEMBER.value),
        "rights": _value("rights", sorted(r.value for r in VIEW_RIGHTS)),
        "all_products": true(),
        "product_ids": _value("product_ids", []),
        "topics": _value("topics", []),
        "status": _value("status", "ACTIVE"),
        "created_at": Organization.created_at,
        "updated_at": Organization.updated_at,
    }
    stmt = select(*(values[c.name].label(c.name) for c in columns), false().label("full"), true().label("staff_view"))
    opened = exists().where(
        AuditEntry.organization_id == Organization.id,
        AuditEntry.actor_id == staff_user_id,
        AuditEntry.actor_kind == "staff",
        AuditEntry.action == VIEW_ACTION,
        AuditEntry.created_at > now - VIEW_LIFETIME,
    )
    return stmt.where(opened, Organization.deleted_at.is_(None))


@dataclass(slots=True)
class Caller:
    """Who a request acts for, as of when."""

    principal: Principal
    now: datetime | None = None  # the request's time: which organizations a staff member has open

    def placed(self, placed_by: ColumnElement[uuid.UUID | None]) -> ColumnElement[bool]:
        """Whether the caller placed it: what it sees of orders beyond its product scope. A token limited to some
        products, and a caller with no person behind it, placed nothing (an order no person placed included)."""
        if self.principal.token is not None and not self.principal.token.all_products:
            return false()
        if self.principal.user_id is None:
            return false()
        return placed_by == self.user_param()

    def rows(self) -> Select[Any]:
        """The caller's memberships as `member_rows()` columns; nothing for an anonymous caller."""
        if self.principal.token is not None:
            return token_rows(self.principal.token, self.principal.user_id)
        if self.principal.staff_role is not None:
            # Staff hold no membership, whatever their account once held; without a time nothing is open.
            if self.principal.user_id is None or self.now is None:
                return member_rows().where(false())
            return staff_view_rows(self.principal.user_id, self.now)
        if self.principal.user_id is None:
            return member_rows().where(false())
        # Named, so that a statement planned once (`gateway/graphql/compiled`) takes each caller's id as a value.
        return member_rows().where(Membership.user_id == self.user_param())

    def user_param(self) -> ColumnElement[uuid.UUID]:
        """The caller's user id as the statement's named parameter (a plan's caller is a parameter)."""
        return bindparam(CALLER_USER_ID, self.principal.user_id, type_=Membership.__table__.c.user_id.type)

    def memberships(self, name: str = "caller") -> Subquery:
        return self.rows().subquery(name)
