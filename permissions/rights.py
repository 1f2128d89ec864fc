from __future__ import annotations

from enum import Enum

import strawberry

from gateway.i18n import N_, Text


@strawberry.enum(description="What a member may do in an organization. OWNER and ADMIN hold every right.")
class Right(Enum):
    MANAGE_ORGANIZATION = "MANAGE_ORGANIZATION"
    MANAGE_MEMBERS = "MANAGE_MEMBERS"
    VIEW_PRODUCTS = "VIEW_PRODUCTS"
    MANAGE_PRODUCTS = "MANAGE_PRODUCTS"
    ORDER = "ORDER"
    VIEW_BILLING = "VIEW_BILLING"
    PAY = "PAY"
    MANAGE_BILLING = "MANAGE_BILLING"
    SUPPORT = "SUPPORT"


@strawberry.enum(description="OWNER is the legal representative (at least one per organization).")
class Role(Enum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"

    @property
    def rank(self) -> int:
        return {Role.OWNER: 3, Role.ADMIN: 2, Role.MEMBER: 1}[self]


@strawberry.enum(description="Mail a member receives about this organization.")
class Topic(Enum):
    BILLING = "BILLING"
    EXPIRY = "EXPIRY"
    TECHNICAL = "TECHNICAL"
    SUPPORT = "SUPPORT"
    SECURITY = "SECURITY"


ALL_RIGHTS = frozenset(Right)
ALL_TOPICS = frozenset(Topic)

# What people read instead of the codes (translated in gateway/i18n's catalog).
RIGHT_NAMES = {
    Right.MANAGE_ORGANIZATION: N_("manage the organization"),
    Right.MANAGE_MEMBERS: N_("manage members"),
    Right.VIEW_PRODUCTS: N_("view products"),
    Right.MANAGE_PRODUCTS: N_("manage products"),
    Right.ORDER: N_("place orders"),
    Right.VIEW_BILLING: N_("view billing"),
    Right.PAY: N_("pay"),
    Right.MANAGE_BILLING: N_("manage billing"),
    Right.SUPPORT: N_("contact support"),
}
ROLE_NAMES = {Role.OWNER: N_("owner"), Role.ADMIN: N_("administrator"), Role.MEMBER: N_("member")}


def right_name(right: Right) -> Text:
    return Text(RIGHT_NAMES[right])


def role_name(role: Role) -> Text:
    return Text(ROLE_NAMES[role])
