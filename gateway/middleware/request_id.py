from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http_errors import is_database_outage

access_log = logging.getLogger("gateway.access")
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# A client's own id is kept only if it is short and plain, so it cannot forge log lines.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(scope: Scope) -> str | None:
    return scope.get("state", {}).get("request_id") if isinstance(scope.get("state"), dict) else None


class RequestIdMiddleware:
    """Gives each request an id (sent back as X-Request-Id) and writes one access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _CLIENT_ID.match(incoming) else uuid.uuid4().hex
        # A copy: servers may hand every request the same lifespan state dict.
        scope["state"] = {**scope.get("state", {}), "request_id": request_id}
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # The guard outside answers it; the access line should say what the caller got.
            if not responded:
                status = 503 if is_database_outage(exc) else 500
            raise
        finally:
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "request_id": request_id,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )
            current_request_id.reset(token)
