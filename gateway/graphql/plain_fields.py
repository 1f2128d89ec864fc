"""A faster path for the commonest field: a plain attribute holding a scalar or an enum.

graphql-core builds a ResolveInfo and calls Strawberry's resolver wrapper for every
field (~7 µs each); a page of 50 organizations with their members is thousands of
such fields. Fields with no resolver, no arguments and no extensions (the ones
marked `@inherited`) are read with getattr and serialized here instead. Anything
else, or any value that does not serialize cleanly, takes the standard path, so
errors are still reported by graphql-core.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Plan = tuple[str, Any, bool, bool] | None  # (attribute, leaf type, nullable, a list of non-null leaves)
_PLANS: dict[tuple[int, str, str], Plan] = {}


def _plan(schema: Any, parent_type: GraphQLObjectType, field_name: str) -> Plan:
    key = (id(schema), parent_type.name, field_name)
    if key in _PLANS:
        return _PLANS[key]
    plan: Plan = None
    field_def = parent_type.fields.get(field_name)
    definition = (field_def.extensions or {}).get("strawberry-definition") if field_def else None
    if field_def is not None and definition is not None and not field_def.args:
        if getattr(definition, "base_resolver", None) is None and not getattr(definition, "extensions", None):
            output = field_def.type
            nullable = not isinstance(output, GraphQLNonNull)
            leaf = output if nullable else output.of_type
            if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                plan = (definition.python_name, leaf, nullable, False)
            elif (
                isinstance(leaf, GraphQLList)
                and isinstance(leaf.of_type, GraphQLNonNull)
                and isinstance(leaf.of_type.of_type, GraphQLScalarType | GraphQLEnumType)
            ):
                plan = (definition.python_name, leaf.of_type.of_type, nullable, True)
    _PLANS[key] = plan
    return plan


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_field(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        if not node.arguments and self.middleware_manager is None:
            plan = _plan(self.schema, parent_type, node.name.value)
            if plan is not None:
                attribute, leaf, nullable, many = plan
                value = getattr(source, attribute, Undefined)
                if value is None and nullable:
                    return None
                if value is not None and value is not Undefined:
                    try:
                        serialized = [leaf.serialize(v) for v in value] if many else leaf.serialize(value)
                    except Exception:
                        serialized = Undefined
                    if (
                        many
                        and isinstance(serialized, list)
                        and not any(v is None or v is Undefined for v in serialized)
                    ):
                        return serialized
                    if not many and serialized is not Undefined and serialized is not None:
                        return serialized
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
