from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http_errors import GRAPHQL_RESPONSE, wants_graphql_response


class GraphQLMediaTypeMiddleware:
    """GraphQL over HTTP: a client that asks for application/graphql-response+json gets it on every
    JSON answer of /graphql, the refusals of the auth, size and rate limits included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not wants_graphql_response(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_media_type(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("application/json"):
                    headers["content-type"] = GRAPHQL_RESPONSE
            await send(message)

        await self.app(scope, receive, send_with_media_type)
