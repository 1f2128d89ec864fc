from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum


class AuthMethod(Enum):
    NONE = "none"
    COOKIE = "cookie"
    BEARER = "bearer"


class PrincipalKind(Enum):
    """Who is behind a request, for what differs by kind: budgets, limits, which documents are accepted."""

    ANONYMOUS = "anonymous"
    USER = "user"  # a person's login session (cookie or bearer)
    TOKEN = "token"  # noqa: S105 (a kind of caller, not a secret): an API token, personal or an organization's integration
    STAFF = "staff"  # the provider's support and billing staff


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved once per request from the session cookie or a bearer token."""

    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    method: AuthMethod = AuthMethod.NONE
    language: str | None = None  # the user's chosen language, read with the session

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def kind(self) -> PrincipalKind:
        return PrincipalKind.USER if self.user_id is not None else PrincipalKind.ANONYMOUS

    @property
    def subject(self) -> uuid.UUID | None:
        """The id budgets and audit entries are kept under for this kind (the user, the token, the staff member)."""
        return self.user_id


ANONYMOUS = Principal()
