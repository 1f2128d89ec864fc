"""What every stored document must be: text that parses and validates against this schema, by its SHA-256."""

from __future__ import annotations

import hashlib

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse, specified_rules, validate

from gateway.graphql.schema import GatewaySchema


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def problems(schema: GatewaySchema, text: str) -> list[str]:
    """Why `text` may not be stored: its parse or validation errors (none: it may)."""
    try:
        document = parse(text, max_tokens=schema.max_tokens)
    except GraphQLError as exc:
        return [exc.message]
    rules = (*specified_rules, *schema.document_rules)
    return [error.message for error in validate(schema._schema, document, rules)]


def operation_names(document: DocumentNode) -> str | None:
    names = [
        d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name is not None
    ]
    return ", ".join(names)[:200] or None
