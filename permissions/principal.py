from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

from permissions.rights import Right
from permissions.staff import StaffRole


class AuthMethod(Enum):
    NONE = "none"
    COOKIE = "cookie"
    BEARER = "bearer"


class PrincipalKind(Enum):
    """Who is behind a request, for what differs by kind: budgets, limits, which documents are accepted."""

    ANONYMOUS = "anonymous"
    USER = "user"  # a person's login session (cookie or bearer)
    TOKEN = "token"  # noqa: S105 (a kind, not a secret): an API token, personal or an organization's integration
    STAFF = "staff"  # the provider's support and billing staff


class TokenKind(Enum):
    PERSONAL = "PERSONAL"  # acts as its user, within the user's current memberships
    INTEGRATION = "INTEGRATION"  # belongs to one organization; no person behind it


@dataclass(frozen=True, slots=True)
class TokenScope:
    """What an API token may reach, read from its row on every request (never cached across requests)."""

    id: uuid.UUID
    kind: TokenKind
    organization_ids: frozenset[uuid.UUID] | None  # None: every organization the token's user belongs to
    rights: frozenset[Right]
    all_products: bool
    product_ids: frozenset[uuid.UUID]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved once per request from the session cookie or a bearer token."""

    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    method: AuthMethod = AuthMethod.NONE
    language: str | None = None  # the user's chosen language, read with the session
    token: TokenScope | None = None  # an API token's settings; its user (a personal token's) is `user_id`
    staff_role: StaffRole | None = None  # a staff member's platform role, read with the session

    @property
    def is_authenticated(self) -> bool:
        if self.token is not None:
            return True  # an integration token has no user
        return self.user_id is not None

    @property
    def kind(self) -> PrincipalKind:
        if self.token is not None:
            return PrincipalKind.TOKEN
        if self.staff_role is not None:
            return PrincipalKind.STAFF
        return PrincipalKind.USER if self.user_id is not None else PrincipalKind.ANONYMOUS

    @property
    def subject(self) -> uuid.UUID | None:
        """The id budgets and audit entries are kept under for this kind (the user, the token, the staff member)."""
        if self.token is not None:
            return self.token.id
        return self.user_id


ANONYMOUS = Principal()
