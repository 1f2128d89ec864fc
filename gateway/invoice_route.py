"""GET /invoices/{id}.pdf: the invoice as PDF, for members holding VIEW_BILLING in its organization."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from gateway.http_errors import error_response, refusal_response, request_language
from gateway.middleware.request_id import request_id_of
from gateway.request_context import build_context
from permissions.check import authorize
from permissions.errors import GatewayError, NotFound
from permissions.rights import Right
from resolvers.invoice_pdf import invoice_document


async def invoice_pdf(request: Request) -> Response:
    request_id = request_id_of(request.scope)
    try:
        invoice_id = uuid.UUID(request.path_params["invoice_id"])
        ctx = await build_context(request, Response())
        organization_id = await ctx.loaders.organization_of_invoice.load(invoice_id)
        await authorize(ctx, organization_id, right=Right.VIEW_BILLING, staff_view=True)
        row = await ctx.loaders.invoice_by_id.load(invoice_id)
        if row is None:
            raise NotFound
    except ValueError:
        return error_response(404, "Not found.", "NOT_FOUND", request_id)
    except GatewayError as exc:
        return refusal_response(exc, request_id, request_language(request))
    filename, pdf = invoice_document(row, ctx.language)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )
