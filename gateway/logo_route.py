"""GET /organizations/{id}/logo: the logo, for members of that organization only."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from gateway.http_errors import error_response, refusal_response, request_language
from gateway.i18n import N_, translate
from gateway.middleware.request_id import request_id_of
from gateway.request_context import build_context
from permissions.check import authorize
from permissions.errors import GatewayError
from resolvers.logos import logo_bytes


async def organization_logo(request: Request) -> Response:
    request_id = request_id_of(request.scope)
    try:
        organization_id = uuid.UUID(request.path_params["organization_id"])
    except ValueError:
        return error_response(404, "Not found.", "NOT_FOUND", request_id)
    try:
        ctx = await build_context(request, Response())
        await authorize(ctx, organization_id, staff_view=True)
    except GatewayError as exc:
        return refusal_response(exc, request_id, request_language(request))
    found = await logo_bytes(ctx, organization_id)
    if found is None:
        return error_response(
            404, translate(N_("This organization has no logo."), ctx.language), "NOT_FOUND", request_id
        )
    media_type, content = found
    return Response(
        content,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline; filename=logo.png"},
    )
