"""Coded JSON answers for failures outside GraphQL execution (HTTP, auth, limits, outages)."""

from __future__ import annotations

import asyncpg
import orjson
from sqlalchemy import exc as sa_exc
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from gateway.i18n import DEFAULT_LANGUAGE, negotiate
from permissions.errors import GatewayError

STATUS_OF_CODE = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "RATE_LIMITED": 429}
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Long enough for a supervised embedded server or a failover to come back, short enough to retry by hand.
RETRY_AFTER_SECONDS = 5


def wants_graphql_response(scope: Scope) -> bool:
    """GraphQL over HTTP: a client that accepts the spec's media type gets it, whatever the status."""
    if scope.get("type") != "http" or scope.get("path") != "/graphql":
        return False
    accept = dict(scope.get("headers") or ()).get(b"accept", b"")
    return GRAPHQL_RESPONSE.encode() in accept


def error_body(message: str, code: str, request_id: str | None = None, **details: object) -> bytes:
    extensions: dict[str, object] = {"code": code, **details}
    if request_id:
        extensions["requestId"] = request_id
    return orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})


def error_headers(status: int) -> dict[str, str]:
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="gateway"'}
    if status == 405:
        return {"Allow": "GET, POST"}
    if status == 503:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {}


def error_response(status: int, message: str, code: str, request_id: str | None = None, **details: object) -> Response:
    """A GraphQL-shaped error body for failures outside execution (HTTP, auth, limits)."""
    body = error_body(message, code, request_id, **details)
    return Response(body, status_code=status, media_type="application/json", headers=error_headers(status))


def request_language(request: Request) -> str:
    """The caller's language once `build_context` knows it, else what `Accept-Language` asks."""
    return getattr(request.state, "language", None) or negotiate(request.headers.get("accept-language"))


def refusal_response(exc: GatewayError, request_id: str | None, language: str = DEFAULT_LANGUAGE) -> Response:
    """A coded refusal (unauthenticated, forbidden, not found, throttled) as an HTTP answer."""
    # The same extensions as the GraphQL error would carry (`missingRight`, `missingRole`).
    details = {k: v for k, v in exc.extensions.items() if k != "code"}
    return error_response(STATUS_OF_CODE.get(exc.code, 400), exc.render(language), exc.code, request_id, **details)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__cause__, current.__context__, getattr(current, "orig", None)]
    return seen


def _is_outage_signature(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, asyncpg.QueryCanceledError):
        return False  # a statement timeout: this request was too slow, the database is there
    if isinstance(
        exc,
        ConnectionError
        | asyncpg.PostgresConnectionError
        | asyncpg.OperatorInterventionError
        | asyncpg.TooManyConnectionsError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError,
    ):
        return True
    # `ALTER DATABASE … ALLOW_CONNECTIONS false` (maintenance) and closed connections.
    text = str(exc)
    return isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError) and (
        "not currently accepting connections" in text or "connection is closed" in text
    )


def is_database_outage(exc: BaseException) -> bool:
    """True when the failure says the database is unreachable, not that the request was wrong."""
    chain = _chain(exc)
    database_errors = sa_exc.SQLAlchemyError | asyncpg.PostgresError | asyncpg.InterfaceError
    from_database = any(isinstance(e, database_errors) for e in chain)
    return from_database and any(_is_outage_signature(e) for e in chain)


SERVICE_UNAVAILABLE_MESSAGE = "The service is briefly unavailable; retry in a few seconds."
INTERNAL_MESSAGE = "Unexpected error."
