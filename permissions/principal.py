from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum


class AuthMethod(Enum):
    NONE = "none"
    COOKIE = "cookie"
    BEARER = "bearer"


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


ANONYMOUS = Principal()
