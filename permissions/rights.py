from __future__ import annotations

from enum import Enum

import strawberry


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
