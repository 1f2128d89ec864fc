from __future__ import annotations

import orjson
from starlette.responses import Response


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
