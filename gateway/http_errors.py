from __future__ import annotations

import orjson
from starlette.responses import Response

from permissions.errors import GatewayError

STATUS_OF_CODE = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "RATE_LIMITED": 429}


def error_response(status: int, message: str, code: str, request_id: str | None = None, **details: object) -> Response:
    """A GraphQL-shaped error body for failures outside execution (HTTP, auth, limits)."""
    extensions: dict[str, object] = {"code": code, **details}
    if request_id:
        extensions["requestId"] = request_id
    body = orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="gateway"'
    elif status == 405:
        headers["Allow"] = "GET, POST"
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def refusal_response(exc: GatewayError, request_id: str | None) -> Response:
    """A coded refusal (unauthenticated, forbidden, not found, throttled) as an HTTP answer."""
    # The same extensions as the GraphQL error would carry (`missingRight`, `missingRole`).
    details = {k: v for k, v in exc.extensions.items() if k != "code"}
    return error_response(STATUS_OF_CODE.get(exc.code, 400), exc.message, exc.code, request_id, **details)
