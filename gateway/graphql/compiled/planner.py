"""From a validated query to the one statement that answers it, or None where it cannot answer exactly as the
standard path would (a field with no SQL source, a rule SQL cannot say, an argument it does not page by).

A plan is made once per document and operation, for a person in their own session (tokens and staff take the
standard path), with the caller's id and the request's values as bound parameters (`Binder`s compute them from
the variables, or say the standard path must answer: a page size out of range, an id that decodes to nothing).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    value_from_ast,
)
from graphql.language import IntValueNode, NullValueNode, StringValueNode
from sqlalchemy import ColumnElement, DateTime, Integer, Select, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from strawberry.permission import PermissionExtension

from permissions.caller import Caller
from permissions.principal import Principal
from permissions.sql_rules import predicate
from resolvers.pagination import DEFAULT_PAGE
from schema import sql_json as j
from schema.common import decode_id
from schema.sql_source import SQL_ROOTS, SQL_TYPES, Json, Nested, NodeId, Page, Row, Rows, Scalar, SqlType

FALLBACK = object()  # a binder's answer: the standard path answers this request
PLACEHOLDER = uuid.UUID(int=0)
DIALECT = asyncpg_dialect()
SCALARS: dict[str, Callable[[Any], ColumnElement[str]]] = {
    "text": j.string,
    "enum": j.string,
    "int": j.integer,
    "bool": j.boolean,
    "datetime": j.timestamp,
}


class NotCompilable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Binder:
    name: str
    compute: Callable[[dict[str, Any], datetime], Any]  # (variables, now) -> the value, or FALLBACK


@dataclass(slots=True)
class Plan:
    """The statement, compiled once to its SQL text and the order of its positional parameters."""

    statement: Select[Any]
    binders: list[Binder] = field(default_factory=list)
    sql: str = ""
    positions: tuple[str, ...] = ()
    constants: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        compiled = self.statement.compile(dialect=DIALECT, compile_kwargs={"render_postcompile": True})
        self.sql, self.positions = compiled.string, tuple(compiled.positiontup or ())
        self.constants = dict(compiled.params)

    def parameters(
        self, variables: dict[str, Any] | None, user_id: uuid.UUID | None, now: datetime, language: str = "it"
    ) -> tuple[Any, ...] | None:
        """The positional values for this request, or None when the standard path must answer it."""
        values = dict(self.constants, caller_user_id=user_id, request_language=language)
        for binder in self.binders:
            value = binder.compute(variables or {}, now)
            if value is FALLBACK:
                return None
            values[binder.name] = value
        return tuple(values[name] for name in self.positions)


class Renamed:
    """A row's columns under the names another type's source reads them by (an amount's `amount_cents`)."""

    def __init__(self, columns: Any, names: dict[str, str]) -> None:
        self.columns, self.names = columns, names

    def __getitem__(self, name: str) -> Any:
        return self.columns[self.names.get(name, name)]

    def __getattr__(self, name: str) -> Any:
        return self[name]


def _object_type(graphql_type: Any) -> GraphQLObjectType:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    if not isinstance(graphql_type, GraphQLObjectType):
        raise NotCompilable("a field of a type that is no object")
    return graphql_type


def _rules(field_def: Any) -> list[Any]:
    definition = (field_def.extensions or {}).get("strawberry-definition")
    rules: list[Any] = []
    for extension in getattr(definition, "extensions", None) or ():
        if not isinstance(extension, PermissionExtension) or extension.fail_silently:
            raise NotCompilable("a rule that is no permission, or a field that nulls instead of refusing")
        rules += extension.permissions
    return rules


class Planner:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        max_page: int,
        token: Principal | None = None,
    ):
        self.schema = schema
        self.operation = operation
        self.max_page = max_page
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = {v.variable.name.value: v for v in operation.variable_definitions or ()}
        # A person's plan serves every person (their id is a parameter); a token's plan is its own (its rights
        # and scope are written into the statement), made again whenever they change.
        self.caller = Caller(token if token is not None else Principal(user_id=PLACEHOLDER))
        self.binders: list[Binder] = []
        self.names = itertools.count()

    # --- arguments -------------------------------------------------------------------------------------------

    def _argument(self, node: FieldNode, name: str) -> ValueNode | None:
        return next((a.value for a in node.arguments or () if a.name.value == name), None)

    def _bind(self, value: ValueNode | None, decode: Callable[[Any], Any], type_: Any) -> ColumnElement[Any]:
        name = f"p{next(self.names)}"
        if isinstance(value, VariableNode):
            var_name = value.name.value
            definition = self.variables[var_name]
            default = (
                value_from_ast(definition.default_value, self._input_type(definition))
                if definition.default_value is not None
                else None
            )

            def compute(
                variables: dict[str, Any], now: datetime, var_name: str = var_name, default: Any = default
            ) -> Any:
                return decode(variables.get(var_name, default))

            self.binders.append(Binder(name, compute))
        else:
            literal = self._literal(value)
            decoded = decode(literal)
            if decoded is FALLBACK:
                raise NotCompilable("a literal out of range, or an id of another type")
            self.binders.append(Binder(name, lambda variables, now, decoded=decoded: decoded))
        return bindparam(name, None, type_=type_)

    def _now(self) -> ColumnElement[Any]:
        """The request's time (the gateway's clock, as the standard path reads it), a parameter."""
        if not any(b.name == "request_now" for b in self.binders):
            self.binders.append(Binder("request_now", lambda variables, now: now))
        return bindparam("request_now", None, type_=DateTime(timezone=True))

    def _input_type(self, definition: Any) -> Any:
        from graphql import type_from_ast

        return type_from_ast(self.schema, definition.type)

    @staticmethod
    def _literal(value: ValueNode | None) -> Any:
        if value is None or isinstance(value, NullValueNode):
            return None
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, StringValueNode):
            return value.value
        raise NotCompilable("a literal the plan cannot take")

    def _page_size(self, value: Any) -> Any:
        if value is None:
            return DEFAULT_PAGE
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= self.max_page:
            return FALLBACK  # the standard path answers BAD_USER_INPUT
        return value

    # --- selections ------------------------------------------------------------------------------------------

    def _fields(self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        if selection_set is None:
            raise NotCompilable(f"{parent.name} without a selection")
        found: list[FieldNode] = []
        keys: set[str] = set()
        for node in self._flatten(parent, selection_set):
            key = (node.alias or node.name).value
            if key in keys:
                raise NotCompilable(f"the response key {key!r} twice (merged fields)")
            keys.add(key)
            found.append(node)
        return found

    def _flatten(self, parent: GraphQLObjectType, selection_set: SelectionSetNode) -> Iterator[FieldNode]:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompilable("a directive on a selection (@skip, @include)")
            if isinstance(selection, FieldNode):
                yield selection
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            elif isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            else:
                raise NotCompilable("a selection the plan cannot read")
            if condition is not None and condition.name.value != parent.name:
                raise NotCompilable(f"a fragment on {condition.name.value} inside {parent.name}")
            yield from self._flatten(parent, inner)

    def _rule(self, field_def: Any, source: SqlType, columns: Any) -> ColumnElement[bool]:
        organization = columns[source.organization] if source.organization else None
        product = columns[source.product] if source.product else None
        found = predicate(_rules(field_def), self.caller, organization, product)
        if found is None:
            raise NotCompilable("a field with a rule SQL cannot say")
        return found

    def object(
        self, graphql_type: GraphQLObjectType, source: SqlType, columns: Any, from_: Any, selection_set: Any
    ) -> ColumnElement[str]:
        members: list[tuple[str, ColumnElement[str]]] = []
        for node in self._fields(graphql_type, selection_set):
            name = node.name.value
            key = (node.alias or node.name).value
            if name == "__typename":
                members.append((key, j.text_literal(f'"{graphql_type.name}"')))
                continue
            declared = source.fields.get(name)
            field_def = graphql_type.fields.get(name)
            if declared is None or field_def is None:
                raise NotCompilable(f"{graphql_type.name}.{name} has no SQL source")
            value = self.value(declared, field_def, node, columns, from_)
            members.append((key, j.guarded(self._rule(field_def, source, columns), value)))
        return j.obj(members)

    def value(self, declared: Any, field_def: Any, node: FieldNode, columns: Any, from_: Any) -> ColumnElement[str]:
        if isinstance(declared, Page):
            return self.page(declared, field_def, node, columns, from_)
        if node.arguments:
            raise NotCompilable(f"{node.name.value}: arguments the source does not page by")
        if isinstance(declared, Scalar):
            if node.selection_set is not None:
                raise NotCompilable(f"{node.name.value}: a scalar with a selection")
            column = columns[declared.column]
            built = SCALARS[declared.kind](column)
            # A NULL in a non-null field is the standard path's error to answer, not a JSON null.
            return j.guarded(column.is_not(None), built) if isinstance(field_def.type, GraphQLNonNull) else built
        if isinstance(declared, Json):
            return declared.build(columns)
        if isinstance(declared, NodeId):
            return j.global_id(declared.type_name, columns[declared.column])
        target = _object_type(field_def.type)
        if isinstance(declared, Nested):
            renamed = Renamed(columns, declared.columns) if declared.columns else columns
            return self.object(target, SQL_TYPES[declared.type_name], renamed, from_, node.selection_set)
        if isinstance(declared, Row | Rows):
            rows = declared.rows(self.caller, columns)
            rows = rows.correlate(from_) if from_ is not None else rows
            sub = rows.subquery(f"r{next(self.names)}")
            built = self.object(target, SQL_TYPES[declared.type_name], sub.c, sub, node.selection_set)
            if isinstance(declared, Row):
                inner = _fenced(select(built.label("j")).select_from(sub), f"o{next(self.names)}")
                return select(j.one(inner.c.j)).select_from(inner).scalar_subquery()
            order = list(declared.order(sub.c))
            inner = select(built.label("j"), *(_sort_key(o).label(f"s{i}") for i, o in enumerate(order)))
            inner = _fenced(inner.select_from(sub), f"o{next(self.names)}")
            sorts = [_sorted(inner.c[f"s{i}"], o) for i, o in enumerate(order)]
            return select(j.many(inner.c.j, sorts)).select_from(inner).scalar_subquery()
        raise NotCompilable(f"{node.name.value}: not an expressible field")

    def page(self, declared: Page, field_def: Any, node: FieldNode, columns: Any, from_: Any) -> ColumnElement[str]:
        if any(a.name.value not in declared.arguments for a in node.arguments or ()):
            raise NotCompilable(f"{node.name.value}: arguments the source does not page by")
        first = self._bind(self._argument(node, "first"), self._page_size, Integer())
        values = {"now": self._now()}
        if "withinDays" in declared.arguments:
            days = self._bind(self._argument(node, "withinDays"), _days, Integer())
            # Whole days of 24 hours, as Python's timedelta(days=n) (not calendar days of the session's zone).
            values["until"] = values["now"] + func.make_interval(0, 0, 0, 0, 0, 0, days * 86_400)
        connection = _object_type(field_def.type)

        def rows() -> Select[Any]:
            found = declared.rows(self.caller, columns, values)
            return found.correlate(from_) if from_ is not None else found

        members: list[tuple[str, ColumnElement[str]]] = []
        for child in self._fields(connection, node.selection_set):
            name, key = child.name.value, (child.alias or child.name).value
            if child.arguments:
                raise NotCompilable(f"{node.name.value}.{name}: arguments")
            if name == "__typename":
                members.append((key, j.text_literal(f'"{connection.name}"')))
            elif name == "totalCount":
                counted = select(func.count()).select_from(rows().subquery(f"c{next(self.names)}"))
                members.append((key, j.integer(counted.scalar_subquery())))
            elif name == "edges":
                members.append((key, self.edges(declared, connection, child, rows(), first)))
            else:
                raise NotCompilable(f"{node.name.value}.{name}: pageInfo and cursors are the standard path's")
        return j.obj(members)

    def edges(
        self, declared: Page, connection: GraphQLObjectType, node: FieldNode, rows: Select[Any], first: Any
    ) -> ColumnElement[str]:
        edge_type = _object_type(connection.fields["edges"].type)
        paged = rows.order_by(*declared.order(rows.selected_columns)).limit(first).subquery(f"g{next(self.names)}")
        node_type = _object_type(edge_type.fields["node"].type)
        edge_source = SQL_TYPES.get(declared.edge_type) if declared.edge_type else None
        members: list[tuple[str, ColumnElement[str]]] = []
        for child in self._fields(edge_type, node.selection_set):
            name, key = child.name.value, (child.alias or child.name).value
            if child.arguments:
                raise NotCompilable(f"{name}: arguments on an edge field")
            if name == "__typename":
                members.append((key, j.text_literal(f'"{edge_type.name}"')))
            elif name == "node":
                source = SQL_TYPES[declared.type_name]
                members.append((key, self.object(node_type, source, paged.c, paged, child.selection_set)))
            elif edge_source is not None and name in edge_source.fields:
                field_def = edge_type.fields[name]
                value = self.value(edge_source.fields[name], field_def, child, paged.c, paged)
                members.append((key, j.guarded(self._rule(field_def, edge_source, paged.c), value)))
            else:
                raise NotCompilable(f"{edge_type.name}.{name} has no SQL source")
        order = list(declared.order(paged.c))
        inner = select(j.obj(members).label("j"), *(_sort_key(o).label(f"s{i}") for i, o in enumerate(order)))
        inner = _fenced(inner.select_from(paged), f"e{next(self.names)}")
        sorts = [_sorted(inner.c[f"s{i}"], o) for i, o in enumerate(order)]
        return select(j.many(inner.c.j, sorts)).select_from(inner).scalar_subquery()

    # --- the operation ---------------------------------------------------------------------------------------

    def root(self) -> Select[Any]:
        query_type = self.schema.query_type
        assert query_type is not None
        members: list[tuple[str, ColumnElement[str]]] = []
        for node in self._fields(query_type, self.operation.selection_set):
            name, key = node.name.value, (node.alias or node.name).value
            if name == "__typename":
                members.append((key, j.text_literal('"Query"')))
                continue
            root = SQL_ROOTS.get(name)
            field_def = query_type.fields.get(name)
            if root is None or field_def is None:
                raise NotCompilable(f"Query.{name} has no SQL source")
            arguments: dict[str, ColumnElement[Any]] = {}
            for argument in node.arguments or ():
                type_name = root.arguments.get(argument.name.value)
                if type_name is None:
                    raise NotCompilable(f"Query.{name}({argument.name.value}:) is no argument the source takes")
                decode = _global_id_decoder(type_name)
                arguments[argument.name.value] = self._bind(argument.value, decode, PG_UUID(as_uuid=True))
            if set(arguments) != set(root.arguments):
                raise NotCompilable(f"Query.{name}: its arguments are missing")
            sub = root.rows(self.caller, arguments).subquery(f"root{next(self.names)}")
            target = _object_type(field_def.type)
            built = self.object(target, SQL_TYPES[root.type_name], sub.c, sub, node.selection_set)
            inner = _fenced(select(built.label("j")).select_from(sub), f"o{next(self.names)}")
            value = select(j.one(inner.c.j)).select_from(inner).scalar_subquery()
            organization = arguments.get(root.organization_argument) if root.organization_argument else None
            allowed = predicate(_rules(field_def), self.caller, organization, located=True)
            if allowed is None:
                raise NotCompilable(f"Query.{name} has a rule SQL cannot say")
            members.append((key, j.guarded(allowed, value)))
        return select(j.obj(members).label("data"))


def _sort_key(order: ColumnElement[Any]) -> ColumnElement[Any]:
    """What an ORDER BY term sorts by, without its direction (selected as a column of its own)."""
    return order.element if isinstance(order, UnaryExpression) and order.modifier is not None else order


def _sorted(column: ColumnElement[Any], order: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column` in the direction of the ORDER BY term it was selected for."""
    if isinstance(order, UnaryExpression) and order.modifier is operators.desc_op:
        return column.desc()
    return column


def _days(value: Any) -> Any:
    if value is None:
        return 30  # the argument's default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 366:
        return FALLBACK  # the standard path answers BAD_USER_INPUT
    return value


def _fenced(rows: Select[Any], name: str) -> Any:
    """A subquery PostgreSQL keeps as it is: its JSON column is read three times by the aggregate over it (`one`,
    `many`), and pulling the subquery up into it would build every object three times (OFFSET 0 forbids that)."""
    return rows.offset(literal_column("0")).subquery(name)


def _global_id_decoder(type_name: str) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        decoded = decode_id(value, type_name) if isinstance(value, str) else None
        return FALLBACK if decoded is None else decoded  # the standard path answers NOT_FOUND

    return decode


def plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    max_page: int,
    token: Principal | None = None,
) -> Plan | None:
    return explain(schema, document, operation_name, max_page, token)[0]


def explain(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    max_page: int,
    token: Principal | None = None,
) -> tuple[Plan | None, str]:
    """The plan, or None and why the standard path answers (`gateway explain`)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1:
        return None, "the document does not name one operation"
    if operations[0].operation is not OperationType.QUERY or operations[0].directives:
        return None, "a mutation or a subscription"
    planner = Planner(schema, document, operations[0], max_page, token)
    try:
        statement = planner.root()
    except NotCompilable as exc:
        return None, str(exc) or "a selection the plan cannot read"
    return Plan(statement, planner.binders), "one statement"
