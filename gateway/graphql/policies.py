from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.extensions import SchemaExtension

INTROSPECTION_FIELDS = ("__schema", "__type")


class NoAnonymousIntrospection(ValidationRule):
    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError(
                    "Introspection is available to logged-in callers only.",
                    node,
                    extensions={"code": "UNAUTHENTICATED"},
                )
            )


class IntrospectionPolicy(SchemaExtension):
    """Anonymous callers may not introspect in production; logged-in ones always may."""

    def __init__(self, *, allow_anonymous: bool) -> None:
        self.allow_anonymous = allow_anonymous

    def on_operation(self) -> Iterator[None]:
        principal = getattr(self.execution_context.context, "principal", None)
        if not self.allow_anonymous and not (principal and principal.is_authenticated):
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, NoAnonymousIntrospection)
        yield
