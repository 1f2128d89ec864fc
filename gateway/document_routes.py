"""Documents as PDF besides invoices.

GET /contract/{version}.pdf: the general conditions, the same public text for any logged-in user.
GET /proforma/{token}.pdf: a pro-forma, recomputed from the signed token's inputs for a member
holding VIEW_BILLING in its organization, while the link is valid (one hour).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.http_errors import error_response, refusal_response, request_language
from gateway.i18n import N_, translate
from gateway.middleware.request_id import request_id_of
from gateway.request_context import build_context
from permissions.check import authorize
from permissions.errors import GatewayError, NotFound, Unauthenticated
from permissions.rights import Right
from resolvers import contract, contract_pdf, proforma
from resolvers.context import Context


def _pdf(content: bytes, filename: str, cache_control: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": cache_control},
    )


async def _logged_in(request: Request) -> Context:
    ctx = await build_context(request, Response())
    if not ctx.principal.is_authenticated:
        raise Unauthenticated
    return ctx


async def contract_document(request: Request) -> Response:
    request_id = request_id_of(request.scope)
    try:
        ctx = await _logged_in(request)
    except GatewayError as exc:
        return refusal_response(exc, request_id, request_language(request))
    version = contract.find(request.path_params["version"])
    if version is None:
        message = translate(N_("There is no such version of the general conditions."), request_language(request))
        return error_response(404, message, "NOT_FOUND", request_id)
    return _pdf(
        contract_pdf.render(version, ctx.language),
        f"condizioni-generali-{version.version}.pdf",
        "private, max-age=3600",
    )


async def proforma_document(request: Request) -> Response:
    request_id = request_id_of(request.scope)
    try:
        ctx = await _logged_in(request)
        inputs = proforma.verify(ctx.settings.secret_key, request.path_params["token"])
        if inputs is None:
            raise NotFound
        await authorize(ctx, inputs.organization_id, right=Right.VIEW_BILLING, staff_view=True)
    except GatewayError as exc:
        return refusal_response(exc, request_id, request_language(request))
    if ctx.clock.now() >= inputs.expires_at:
        message = translate(N_("This link has expired: create the pro-forma again."), ctx.language)
        return error_response(410, message, "EXPIRED", request_id)
    outcome = await proforma.build(ctx, inputs)
    if outcome.value is None:
        problem = outcome.problems[0]
        status = 404 if problem.code == "NOT_FOUND" else 409
        return error_response(status, problem.render(ctx.language), problem.code, request_id)
    document = outcome.value
    return _pdf(proforma.pdf(document, ctx.language), f"proforma-{document.number}.pdf", "private, no-store")
