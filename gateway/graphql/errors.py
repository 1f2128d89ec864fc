"""What a client may see of a failure.

Coded errors (`permissions.errors.GatewayError`) pass through with their code;
parse and validation errors become BAD_USER_INPUT without suggestions; anything
else becomes "Unexpected error." with the request id, and its traceback goes to
the log only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from gateway.i18n import DEFAULT_LANGUAGE, translate
from permissions.errors import GatewayError

log = logging.getLogger("gateway.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


def _request_id(execution_context: ExecutionContext) -> str | None:
    return getattr(execution_context.context, "request_id", None)


def public_error(error: GraphQLError, request_id: str | None, language: str = DEFAULT_LANGUAGE) -> GraphQLError:
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, GatewayError):
        return GraphQLError(original.render(language), error.nodes, path=error.path, extensions=original.extensions)
    if error.path is None or original is None or isinstance(original, GraphQLError):
        # Parse, validation and input coercion errors, and errors Strawberry raises on purpose.
        extensions = {**(error.extensions or {})}
        extensions.setdefault("code", "BAD_USER_INPUT")
        message = _SUGGESTION.sub("", error.message)
        # Source and positions too: a syntax error has no nodes, only where in the text it is.
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, extensions=extensions)
    log.error(
        "unexpected error while resolving %s",
        ".".join(str(p) for p in error.path or ()),
        exc_info=(type(original), original, original.__traceback__),
        extra={"request_id": request_id},
    )
    return GraphQLError(
        translate(GatewayError.default_message, language),
        error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            request_id = _request_id(self.execution_context)
            language = getattr(self.execution_context.context, "language", DEFAULT_LANGUAGE)
            result.errors = [public_error(e, request_id, language) for e in result.errors]
