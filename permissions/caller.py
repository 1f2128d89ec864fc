"""The memberships a request acts through, as one SQL selectable.

Every permission decision reads a caller's membership: the Python checks through
`Grant`, the lists through SQL joins. Both read the same rows from here, so what a
caller may do is decided once, in one query shape, whoever the caller is: a
person's session today; an API token narrows these rows, a staff member's view
adds rows, and neither changes a loader or a check.

Each row has the columns of `memberships` plus `full`: whether the row holds every
right (an owner or admin acting in person), so `rights` need not list them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Subquery, false, select

from gateway.db.models import Membership
from permissions.principal import Principal
from permissions.rights import Role
from permissions.token_rows import token_rows

FULL_ROLES = (Role.OWNER.value, Role.ADMIN.value)


def member_rows() -> Select[Any]:
    """Every membership, read as policy: what a member holds in person."""
    return select(*Membership.__table__.c, Membership.role.in_(FULL_ROLES).label("full"))


@dataclass(slots=True)
class Caller:
    """Who a request acts for, and what it has opened in this request."""

    principal: Principal
    # Organizations that this request has been given a view of beyond the principal's own memberships.
    viewing: set[uuid.UUID] = field(default_factory=set)

    @property
    def user_id(self) -> uuid.UUID | None:
        """Whose placed orders the caller sees beyond its product scope (a token limited to some products: none)."""
        if self.principal.token is not None and not self.principal.token.all_products:
            return None
        return self.principal.user_id

    def rows(self) -> Select[Any]:
        """The caller's memberships as `member_rows()` columns; nothing for an anonymous caller."""
        if self.principal.token is not None:
            return token_rows(self.principal.token, self.principal.user_id)
        if self.principal.user_id is None:
            return member_rows().where(false())
        return member_rows().where(Membership.user_id == self.principal.user_id)

    def memberships(self, name: str = "caller") -> Subquery:
        return self.rows().subquery(name)
