"""The outermost guard: whatever escapes the app becomes a coded JSON answer, never a bare 500."""

from __future__ import annotations

import logging
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http_errors import (
    GRAPHQL_RESPONSE,
    INTERNAL_MESSAGE,
    SERVICE_UNAVAILABLE_MESSAGE,
    error_body,
    error_headers,
    is_database_outage,
    wants_graphql_response,
)
from gateway.middleware.request_id import request_id_of
from gateway.middleware.security_headers import security_headers

log = logging.getLogger("gateway.errors")


class ErrorGuardMiddleware:
    """Answers an escaped exception with INTERNAL (500), or SERVICE_UNAVAILABLE (503) for a database outage.

    It sits outside the request id and security headers middleware, so it adds both itself:
    its answer must look like every other one.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            request_id = request_id_of(scope) or uuid.uuid4().hex
            outage = is_database_outage(exc)
            log.error(
                "database unavailable" if outage else "unhandled error",
                exc_info=(type(exc), exc, exc.__traceback__),
                extra={"request_id": request_id, "path": scope.get("path")},
            )
            if started:
                raise  # the answer is on its way; the server can only cut the connection
            status, code, message = (
                (503, "SERVICE_UNAVAILABLE", SERVICE_UNAVAILABLE_MESSAGE)
                if outage
                else (500, "INTERNAL", INTERNAL_MESSAGE)
            )
            await self._answer(send, status, code, message, request_id, scope)

    async def _answer(self, send: Send, status: int, code: str, message: str, request_id: str, scope: Scope) -> None:
        body = error_body(message, code, request_id)
        media_type = GRAPHQL_RESPONSE if wants_graphql_response(scope) else "application/json"
        headers = {
            "content-type": media_type,
            "content-length": str(len(body)),
            **error_headers(status),
            **security_headers(media_type, hsts=self.hsts),
            "x-request-id": request_id,
        }
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})
