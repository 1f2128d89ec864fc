"""An API token's memberships: the rows of `permissions.caller`, narrowed to what the token holds.

A personal token acts through its user's memberships as they are now (a blocked or removed member holds
nothing through any token), in the organizations it covers, with (token's rights ∩ member's rights) and
(token's product scope ∩ member's scope). An integration token has no member behind it: one row in its
organization, with its own rights and scope, while the organization exists. Token rows never hold `full`
and always read as role MEMBER, so rules on a role (owners, admins) need the person.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, any_, case, cast, false, func, literal, null, select

from gateway.db.models import Membership, Organization
from permissions.principal import TokenKind, TokenScope
from permissions.rights import ALL_RIGHTS, Role

FULL_ROLES = (Role.OWNER.value, Role.ADMIN.value)
COLUMNS = Membership.__table__.c


def _value(column: str, value: Any) -> ColumnElement[Any]:
    return literal(value, type_=COLUMNS[column].type)


def _rights(token: TokenScope) -> list[str]:
    return sorted(r.value for r in token.rights)


def _narrowed_rights(token: TokenScope) -> ColumnElement[Any]:
    """What the member holds (every right, for an owner or admin) less what the token does not."""
    held: ColumnElement[Any] = Membership.rights
    for right in sorted(r.value for r in ALL_RIGHTS - token.rights):
        held = func.array_remove(held, right, type_=COLUMNS["rights"].type)
    return case((Membership.role.in_(FULL_ROLES), _value("rights", _rights(token))), else_=held)


def _narrowed_products(token: TokenScope) -> ColumnElement[Any]:
    chosen = _value("product_ids", sorted(token.product_ids))
    member_ids = func.unnest(Membership.product_ids).table_valued("id").render_derived(name="scoped")
    common = (
        select(func.coalesce(func.array_agg(member_ids.c.id), _value("product_ids", [])))
        .where(member_ids.c.id == any_(chosen))
        .scalar_subquery()
    )
    return case((Membership.all_products, chosen), else_=common)


def personal_rows(token: TokenScope, user_id: uuid.UUID) -> Select[Any]:
    replaced: dict[str, ColumnElement[Any]] = {
        "role": _value("role", Role.MEMBER.value),
        "rights": _narrowed_rights(token),
    }
    if not token.all_products:
        replaced["all_products"] = false()
        replaced["product_ids"] = _narrowed_products(token)
    columns = [replaced[c.name].label(c.name) if c.name in replaced else c for c in COLUMNS]
    stmt = select(*columns, false().label("full"), false().label("staff_view")).where(Membership.user_id == user_id)
    if token.organization_ids is not None:
        stmt = stmt.where(Membership.organization_id.in_(sorted(token.organization_ids)))
    return stmt


def integration_rows(token: TokenScope) -> Select[Any]:
    (organization_id,) = token.organization_ids or (None,)
    values: dict[str, ColumnElement[Any]] = {
        "id": _value("id", token.id),
        "organization_id": Organization.id,
        "user_id": cast(null(), COLUMNS["user_id"].type),
        "role": _value("role", Role.MEMBER.value),
        "rights": _value("rights", _rights(token)),
        "all_products": _value("all_products", token.all_products),
        "product_ids": _value("product_ids", sorted(token.product_ids)),
        "topics": _value("topics", []),
        "status": _value("status", "ACTIVE"),
        "created_at": Organization.created_at,
        "updated_at": Organization.updated_at,
    }
    columns = [values[c.name].label(c.name) for c in COLUMNS]
    return select(*columns, false().label("full"), false().label("staff_view")).where(
        and_(Organization.id == organization_id, Organization.deleted_at.is_(None))
    )


def token_rows(token: TokenScope, user_id: uuid.UUID | None) -> Select[Any]:
    if token.kind is TokenKind.INTEGRATION or user_id is None:
        return integration_rows(token)
    return personal_rows(token, user_id)
