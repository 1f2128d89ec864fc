from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.i18n import DEFAULT_LANGUAGE, negotiate
from permissions.errors import GatewayError

STATUS_OF_CODE = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "RATE_LIMITED": 429}


def error_response(status: int, message: str, code: str, request_id: str | None = None) -> Response:
    """A GraphQL-shaped error body for failures outside execution (HTTP, auth, limits)."""
    extensions: dict[str, object] = {"code": code}
    if request_id:
        extensions["requestId"] = request_id
    body = orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="gateway"'
    elif status == 405:
        headers["Allow"] = "GET, POST"
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def request_language(request: Request) -> str:
    """The caller's language once `build_context` knows it, else what `Accept-Language` asks."""
    return getattr(request.state, "language", None) or negotiate(request.headers.get("accept-language"))


def refusal_response(exc: GatewayError, request_id: str | None, language: str = DEFAULT_LANGUAGE) -> Response:
    """A coded refusal (unauthenticated, forbidden, not found, throttled) as an HTTP answer."""
    return error_response(STATUS_OF_CODE.get(exc.code, 400), exc.render(language), exc.code, request_id)
