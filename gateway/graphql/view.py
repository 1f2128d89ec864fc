"""/graphql over HTTP: POST application/json, GET for persisted queries, no batching, coded JSON errors."""

from __future__ import annotations

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import HTTPMethod
from strawberry.schema.exceptions import CannotGetOperationTypeError

from gateway.graphiql import graphiql_page
from gateway.graphql.get_cache import GetRequest, cacheable
from gateway.graphql.persisted import PersistedDocuments, PersistedQueryNotFound, ProtocolRefusal
from gateway.graphql.request_body import BadRequestBody, parse_query_parameters, parse_request_body
from gateway.http_errors import GRAPHQL_RESPONSE, error_response, refusal_response, request_language
from gateway.middleware.request_id import request_id_of
from gateway.request_context import build_context
from permissions.errors import GatewayError
from permissions.principal import PrincipalKind
from resolvers.context import Context

REFUSED_BEFORE_EXECUTION = (429, 503)  # statuses the budget check sets on the sub-response


class GatewayGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: object, *, development: bool) -> None:
        super().__init__(
            schema,  # type: ignore[arg-type]
            graphql_ide="graphiql" if development else None,
            # Queries only, and only persisted ones: `PersistedDocuments` decides before execution.
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
        )
        self.documents = PersistedDocuments(schema)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await error_response(404, "Not found.", "NOT_FOUND")(scope, receive, send)
            return
        request = Request(scope, receive)
        request_id = request_id_of(scope)
        try:
            response = await self.run(request)
        except GatewayError as exc:
            response = refusal_response(exc, request_id, request_language(request))
        except BadRequestBody as exc:
            response = error_response(400, exc.message, exc.code, request_id)
        except PersistedQueryNotFound:
            # 200, as Apollo Server answers, so that every client reads the code and resends with the text.
            response = error_response(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", request_id)
            response.headers["cache-control"] = "private, no-cache, must-revalidate"
        except ProtocolRefusal as exc:
            response = error_response(exc.status, exc.message, exc.code, request_id)
            if exc.status == 405:
                response.headers["allow"] = "POST"
        except HTTPException as exc:
            code = "NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
            if isinstance(exc.__cause__, CannotGetOperationTypeError):
                code = "OPERATION_RESOLUTION_FAILURE"
            response = error_response(exc.status_code, exc.reason, code, request_id)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return graphiql_page(request)

    def should_render_graphql_ide(self, request: object) -> bool:  # type: ignore[override]
        # A persisted query sent with GET has no `query` either; `Accept: */*` must not make it a page.
        wants_page = super().should_render_graphql_ide(request)  # type: ignore[arg-type]
        return wants_page and request.query_params.get("extensions") is None  # type: ignore[attr-defined]

    async def parse_http_body(self, request: object) -> GraphQLRequestData:  # type: ignore[override]
        method: HTTPMethod = request.method  # type: ignore[attr-defined]
        if method == "GET":
            return parse_query_parameters(request.query_params)  # type: ignore[attr-defined]
        content_type = (request.content_type or "").split(";")[0].strip().lower()  # type: ignore[attr-defined]
        if method != "POST" or content_type != "application/json":
            return await super().parse_http_body(request)  # type: ignore[arg-type,return-value]
        return parse_request_body(await request.get_body())  # type: ignore[attr-defined]

    async def execute_operation(  # type: ignore[override]
        self,
        request: Request,
        request_adapter: object,
        request_data: GraphQLRequestData,
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> object:
        method = request.method
        request_data = await self.documents.document_for(context, method, request_data)
        if method == "GET":
            authenticated = context.principal.kind is not PrincipalKind.ANONYMOUS
            sub_response.get_request = GetRequest(authenticated, request.headers.get("if-none-match"))  # type: ignore[attr-defined]
        return await super().execute_operation(
            request=request,
            request_adapter=request_adapter,  # type: ignore[arg-type]
            request_data=request_data,
            context=context,
            root_value=root_value,
            sub_response=sub_response,
        )

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return await build_context(request, response)

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        if sub_response.status_code in REFUSED_BEFORE_EXECUTION and isinstance(response_data, dict):
            # Over budget (429) or no database for the budget (503): nothing ran, so there is no `data`.
            response_data = {k: v for k, v in response_data.items() if k in ("errors", "extensions")}
        response = super().create_response(response_data, sub_response)
        wants_spec_media_type = getattr(sub_response, "graphql_response_json", False)
        if wants_spec_media_type and sub_response.status_code not in REFUSED_BEFORE_EXECUTION:
            response.headers["content-type"] = GRAPHQL_RESPONSE
            # GraphQL over HTTP: a request that failed before execution (no error has a path) is a 400.
            if (
                isinstance(response_data, dict)
                and response_data.get("data") is None
                and response_data.get("errors")
                and not any(e.get("path") for e in response_data["errors"])
            ):
                response_data = {k: v for k, v in response_data.items() if k in ("errors", "extensions")}
                response = Response(self.encode_json(response_data), status_code=400, media_type=GRAPHQL_RESPONSE)
                response.headers.raw.extend(sub_response.headers.raw)
        get_request = getattr(sub_response, "get_request", None)
        if get_request is not None and isinstance(response_data, dict):
            response = cacheable(response, get_request, response_data)
        return response

    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        sub_response.graphql_response_json = GRAPHQL_RESPONSE in request.headers.get("accept", "")  # type: ignore[attr-defined]
        return sub_response
