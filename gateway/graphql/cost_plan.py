"""Compiling one operation of a validated document into its cost plan (gateway/graphql/cost.py).

Fields are collected per concrete type as graphql-core's executor would (aliases merged, fragments
and inline fragments where their type condition applies); leaves are dropped, connections keep
their page size (a literal, or a variable with its fallback), and abstract types keep one shape per
distinct concrete type. Plans are cached by query text and operation name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from gateway.graphql.cost import (
    BY_IDS,
    CONNECTION,
    DEFAULT_PAGE,
    EACH,
    FLAT,
    MUTATION,
    OBJECT,
    Node,
    Plan,
    Size,
)
from gateway.graphql.list_limit import MAX_LIST_ITEMS

PAGE_ARGUMENTS = ("first", "last")
PLANS_KEPT = 512

_PLANS: dict[tuple[int, str, str | None, int], Plan] = {}


def plan_for(
    schema: GraphQLSchema, document: DocumentNode, query: str, operation_name: str | None, max_page: int
) -> Plan:
    """The compiled plan of one operation of a validated document, cached by its text."""
    key = (id(schema), query, operation_name, max_page)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= PLANS_KEPT:
            _PLANS.clear()
        plan = _PLANS[key] = _Compiler(schema, document, max_page).compile(operation_name)
    return plan


def _is_connection(type_: Any) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and "edges" in type_.fields
        and "pageInfo" in type_.fields
    )


class _Compiler:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, max_page: int) -> None:
        self.schema = schema
        self.max_page = max_page
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self.defaults: dict[str, Any] = {}
        self.sizes: list[Size] = []

    def compile(self, operation_name: str | None) -> Plan:
        operation = next(
            (o for o in self.operations if operation_name is None or (o.name and o.name.value == operation_name)),
            None,
        )
        if operation is None:
            return Plan((), ())
        for definition in operation.variable_definitions or ():
            self.defaults[definition.variable.name.value] = definition.default_value
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[operation.operation]
        if root is None:
            return Plan((), ())
        mutation = operation.operation == OperationType.MUTATION
        roots = self.fields(root, [operation.selection_set], root_of_mutation=mutation)
        return Plan(roots, tuple(dict.fromkeys(self.sizes)))

    def collect(self, type_: GraphQLObjectType, sets: Iterable[SelectionSetNode]) -> dict[str, list[FieldNode]]:
        found: dict[str, list[FieldNode]] = {}
        todo = list(sets)
        seen: set[str] = set()
        while todo:
            for selection in todo.pop(0).selections:
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    found.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if selection.type_condition is None or self.applies(selection.type_condition.name.value, type_):
                        todo.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is not None and selection.name.value not in seen:
                        if self.applies(fragment.type_condition.name.value, type_):
                            seen.add(selection.name.value)
                            todo.append(fragment.selection_set)
        return found

    def applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        named = self.schema.get_type(condition)
        if named is None or named is type_:
            return named is type_
        return is_abstract_type(named) and self.schema.is_sub_type(named, type_)  # type: ignore[arg-type]

    def shapes(self, named: Any, sets: list[SelectionSetNode], *, edge: bool = False) -> tuple[tuple[Node, ...], ...]:
        types = self.schema.get_possible_types(named) if is_abstract_type(named) else [named]
        return tuple(dict.fromkeys(self.fields(t, sets, edge=edge) for t in types)) or ((),)

    def fields(
        self,
        type_: GraphQLObjectType,
        sets: list[SelectionSetNode],
        *,
        root_of_mutation: bool = False,
        edge: bool = False,
    ) -> tuple[Node, ...]:
        nodes: list[Node] = []
        for key, selected in self.collect(type_, sets).items():
            name = selected[0].name.value
            definition = self.definition(type_, name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if is_leaf_type(named) or named.name == "PageInfo":
                continue
            inner = [s.selection_set for s in selected if s.selection_set is not None]
            if root_of_mutation:
                nodes.append(Node(MUTATION, key, self.shapes(named, inner)))
            elif _is_connection(named):
                nodes.append(self.connection(key, named, selected[0], inner))
            elif edge and name == "node":
                nodes.append(Node(FLAT, key, self.shapes(named, inner)))
            elif is_list_type(get_nullable_type(definition.type)) and "ids" in definition.args:
                size = self.size(selected[0], ("ids",), counts_items=True, fallback=1, ceiling=MAX_LIST_ITEMS)
                nodes.append(Node(BY_IDS, key, self.shapes(named, inner), size))
            else:
                nodes.append(Node(OBJECT, key, self.shapes(named, inner)))
        return tuple(nodes)

    def connection(self, key: str, type_: GraphQLObjectType, first: FieldNode, sets: list[SelectionSetNode]) -> Node:
        children: list[Node] = []
        for child_key, selected in self.collect(type_, sets).items():
            name = selected[0].name.value
            inner = [s.selection_set for s in selected if s.selection_set is not None]
            definition = type_.fields.get(name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if name == "edges":
                children.append(Node(EACH, child_key, self.shapes(named, inner, edge=True)))
            elif name == "nodes":
                children.append(Node(EACH, child_key, self.shapes(named, inner)))
            else:
                children.extend(self.fields(type_, [_only(s) for s in selected if s.selection_set is not None]))
        size = self.size(first, PAGE_ARGUMENTS, counts_items=False, fallback=DEFAULT_PAGE, ceiling=self.max_page)
        return Node(CONNECTION, key, (tuple(children),), size)

    def size(self, node: FieldNode, names: tuple[str, ...], *, counts_items: bool, fallback: int, ceiling: int) -> Size:
        best: Size | None = None
        for argument in node.arguments or ():
            if argument.name.value not in names:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                default = _literal(self.defaults.get(value.name.value), counts_items)
                candidate = Size(fallback if default is None else default, value.name.value, counts_items, ceiling)
                self.sizes.append(candidate)
            else:
                literal = _literal(value, counts_items)
                candidate = Size(fallback if literal is None else literal, None, counts_items, ceiling)
            if best is None or candidate.of(None) > best.of(None):
                best = candidate
        return best or Size(fallback, None, counts_items, ceiling)

    def definition(self, type_: GraphQLObjectType, name: str) -> GraphQLField | None:
        if type_ is self.schema.query_type and name in ("__schema", "__type"):
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        return type_.fields.get(name)


def _literal(value: Any, counts_items: bool) -> int | None:
    if counts_items and isinstance(value, ListValueNode):
        return len(value.values)
    if not counts_items and isinstance(value, IntValueNode):
        return int(value.value)
    return None


def _only(selection: FieldNode) -> SelectionSetNode:
    """A selection set holding just `selection` (a field of a connection other than its items)."""
    return SelectionSetNode(selections=(selection,))
