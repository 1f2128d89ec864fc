"""What a client may see of a failure.

Coded errors (`permissions.errors.GatewayError`) pass through with their code. Request errors
carry Apollo Server's codes: GRAPHQL_PARSE_FAILED for syntax (and the token limit),
GRAPHQL_VALIDATION_FAILED for validation (and the depth, alias and cost limits), BAD_USER_INPUT
for variables that do not coerce; none suggests names. A database outage is SERVICE_UNAVAILABLE;
anything else becomes "Unexpected error." with the request id, and its traceback goes to the log only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, StringValueNode, ValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from gateway.http_errors import INTERNAL_MESSAGE, SERVICE_UNAVAILABLE_MESSAGE, is_database_outage
from gateway.i18n import DEFAULT_LANGUAGE, translate
from permissions.errors import GatewayError

log = logging.getLogger("gateway.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


class NoNulInStrings(ValidationRule):
    """PostgreSQL cannot store U+0000 in text; a literal that holds it is the caller's mistake."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.report_error(
                GraphQLError(
                    "Text may not contain NUL characters (\\u0000).", node, extensions={"code": "BAD_USER_INPUT"}
                )
            )


def _request_id(execution_context: ExecutionContext) -> str | None:
    return getattr(execution_context.context, "request_id", None)


def _request_error(error: GraphQLError, code: str) -> GraphQLError:
    extensions = {**(error.extensions or {})}
    extensions.setdefault("code", code)
    message = _SUGGESTION.sub("", error.message)
    # Source and positions too: a syntax error has no nodes, only where in the text it is.
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path, extensions=extensions)


def public_error(
    error: GraphQLError, request_id: str | None, language: str = DEFAULT_LANGUAGE, *, validation: bool = False
) -> GraphQLError:
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, GatewayError):
        return GraphQLError(original.render(language), error.nodes, path=error.path, extensions=original.extensions)
    if isinstance(error, GraphQLSyntaxError):
        return _request_error(error, "GRAPHQL_PARSE_FAILED")
    if validation:
        return _request_error(error, "GRAPHQL_VALIDATION_FAILED")
    if original is None or isinstance(original, GraphQLError) or error.message.startswith("Variable '$"):
        # Variable coercion, argument problems, and errors Strawberry raises on purpose.
        return _request_error(error, "BAD_USER_INPUT")
    where = ".".join(str(p) for p in error.path or ()) or "(operation)"
    if is_database_outage(original):
        log.error("database unavailable while resolving %s", where, extra={"request_id": request_id})
        return GraphQLError(
            translate(SERVICE_UNAVAILABLE_MESSAGE, language),
            error.nodes,
            path=error.path,
            extensions={"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
        )
    log.error(
        "unexpected error while resolving %s",
        where,
        exc_info=(type(original), original, original.__traceback__),
        extra={"request_id": request_id},
    )
    return GraphQLError(
        translate(INTERNAL_MESSAGE, language),
        error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


class ErrorPolicy(SchemaExtension):
    # Ids of the errors validation reported (a cached validation hands back the same objects).
    _validation_errors: frozenset[int] = frozenset()

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_errors = frozenset(id(e) for e in self.execution_context.pre_execution_errors or ())

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            request_id = _request_id(self.execution_context)
            language = getattr(self.execution_context.context, "language", DEFAULT_LANGUAGE)
            result.errors = [
                public_error(e, request_id, language, validation=id(e) in self._validation_errors)
                for e in result.errors
            ]
