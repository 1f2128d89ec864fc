from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.auth import resolve_principal
from gateway.i18n import negotiate
from gateway.middleware.request_id import request_id_of
from gateway.resources import Resources
from permissions.caller import Caller
from resolvers.context import Context


async def build_context(request: Request, response: Response) -> Context:
    """The caller and a fresh set of loaders, for one request (GraphQL or a plain route)."""
    resources: Resources = request.state.resources
    principal = await resolve_principal(request, resources.settings, resources.clock, resources.reads)
    language = request.state.language = principal.language or negotiate(request.headers.get("accept-language"))
    return Context(
        request=request,
        response=response,
        settings=resources.settings,
        clock=resources.clock,
        db=resources.db,
        reads=resources.reads,
        principal=principal,
        caller=Caller(principal, resources.clock.now()),
        request_id=request_id_of(request.scope) or "",
        client_ip=request.client.host if request.client else "unknown",
        language=language,
    )
