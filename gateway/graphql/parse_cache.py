"""Parsed documents, cached by query text.

Strawberry's own ParserCache parses inside its hook, where a syntax error (the
token limit's too) escapes the operation and skips ErrorPolicy. Here a failed
parse is left to Strawberry, which parses again and reports it as a request error.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def cached_parse(query: str, max_tokens: int | None) -> DocumentNode:
    """The document of `query`, parsed once per process (raises GraphQLError as `parse` does)."""
    return _parse(query, max_tokens)


class ParseCache(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            try:
                context.graphql_document = _parse(context.query, context.parse_options.get("max_tokens"))
            except GraphQLError:
                pass
        yield
