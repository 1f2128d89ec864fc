from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from gateway.clock import Clock
from gateway.settings import Settings
from permissions.caller import Caller
from permissions.principal import Principal
from resolvers.loaders import Loaders


@dataclass(slots=True)
class Context:
    """Everything one GraphQL request may use; built fresh by the view for each request."""

    request: Request
    response: Response
    settings: Settings
    clock: Clock
    db: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]
    principal: Principal
    caller: Caller  # the memberships every check and list reads through (`permissions.caller`)
    request_id: str
    client_ip: str
    language: str = "it"  # what people read: the user's `language`, or `Accept-Language` when anonymous
    compiled: str | None = None  # the `data` JSON one SQL statement answered (gateway/graphql/compiled)
    # Made on first use: a request one SQL statement answers (gateway/graphql/compiled) needs none.
    _loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders.create(self.reads, self.caller)
        return self._loaders

    def acting_as(self, user_id: uuid.UUID) -> Context:
        """This request on behalf of an account it just created (e.g. accepting an invitation)."""
        principal = Principal(user_id=user_id, session_id=None, method=self.principal.method, language=self.language)
        caller = Caller(principal)
        return replace(self, principal=principal, caller=caller, _loaders=None)

    def refresh_loaders(self) -> None:
        """After a mutation: what the payload reads must see the committed change, not the cache."""
        self._loaders = None

    @property
    def user_id(self) -> uuid.UUID:
        assert self.principal.user_id is not None, "field must be guarded by authenticated()"
        return self.principal.user_id
