"""What an operation costs: calculated before execution, and counted again on what was answered.

The model is Shopify's (GitHub's is the same idea): an object field costs 1, a scalar or enum 0,
a connection 2 plus its page size (`first`/`last`, a variable's value, the default page when
absent), and what each item selects is paid once per item, so nested pages multiply; a
mutation costs 10 plus its payload's selection. Plain lists of objects cost what one object
does (they are bounded by the domain, e.g. an order's lines); `nodes(ids:)` is paid per id.
Inside a connection `edges`, `node` and `pageInfo` are part of the connection's price.
Interfaces and unions cost their most expensive possible type. Fragments count where they apply.

The document is compiled once (per query text and operation name) into a small plan that keeps
only the fields that cost something; the requested cost is then a walk over that plan with the
page sizes the variables give (cached per those sizes), and the actual cost a walk of the answer
along the same plan: connections by the items they returned, fields that came back null free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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

from gateway.graphql.list_limit import MAX_LIST_ITEMS

OBJECT_COST = 1
CONNECTION_COST = 2
MUTATION_COST = 10
DEFAULT_PAGE = 20  # what a connection answers without `first`/`last` (resolvers.pagination)
PAGE_ARGUMENTS = ("first", "last")
PLANS_KEPT = 512
COSTS_KEPT = 64  # per plan: distinct page sizes the variables asked for

# What a plan node is; leaves (scalars, enums, __typename) are not in the plan at all.
OBJECT = "object"  # 1 + what it selects
FLAT = "flat"  # an edge's `node`: paid by the connection's item count, costs only what it selects
EACH = "each"  # `edges` or `nodes` of a connection: what it selects, once per item
BY_IDS = "ids"  # `nodes(ids:)`: an object per id
MUTATION = "mutation"  # 10 + its payload
CONNECTION = "connection"


@dataclass(frozen=True, slots=True)
class Size:
    """A page size or a count of ids: written in the document, or read from a variable."""

    literal: int
    variable: str | None = None
    counts_items: bool = False  # the variable holds a list whose length is the size
    ceiling: int = MAX_LIST_ITEMS  # larger values are refused by the field; they cannot fetch more

    def of(self, variables: Mapping[str, Any] | None) -> int:
        value: Any = self.literal
        if self.variable is not None and variables is not None and variables.get(self.variable) is not None:
            given = variables[self.variable]
            if self.counts_items:
                value = len(given) if isinstance(given, list) else 1
            elif isinstance(given, int) and not isinstance(given, bool):
                value = given
        return min(max(int(value), 0), self.ceiling)


@dataclass(frozen=True, slots=True)
class Node:
    kind: str
    key: str  # the response key (the alias, or the field's name)
    # What it selects, one alternative per distinct concrete type (one for object types).
    shapes: tuple[tuple[Node, ...], ...] = ((),)
    size: Size | None = None


@dataclass(slots=True)
class Plan:
    roots: tuple[Node, ...]
    sizes: tuple[Size, ...]  # every size read from a variable: what the requested cost depends on
    costs: dict[tuple[int, ...], int] = field(default_factory=dict)

    def requested(self, variables: Mapping[str, Any] | None) -> int:
        key = tuple(size.of(variables) for size in self.sizes)
        cost = self.costs.get(key)
        if cost is None:
            if len(self.costs) >= COSTS_KEPT:
                self.costs.clear()
            cost = self.costs[key] = sum(_requested(node, variables) for node in self.roots)
        return cost

    def actual(self, data: Mapping[str, Any] | None) -> int:
        data = data or {}
        return sum(_actual(node, data.get(node.key)) for node in self.roots)


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


def _best(shapes: tuple[tuple[Node, ...], ...], cost: Any, value: Any) -> int:
    if len(shapes) == 1:
        return sum(cost(node, value) for node in shapes[0])
    return max(sum(cost(node, value) for node in shape) for shape in shapes)


def _requested(node: Node, variables: Mapping[str, Any] | None) -> int:
    inner = _best(node.shapes, _requested, variables)
    if node.kind == OBJECT:
        return OBJECT_COST + inner
    if node.kind == MUTATION:
        return MUTATION_COST + inner
    if node.kind == BY_IDS:
        assert node.size is not None
        return node.size.of(variables) * (OBJECT_COST + inner)
    if node.kind == CONNECTION:
        assert node.size is not None
        page = node.size.of(variables)
        per_item = sum(_requested(n, variables) for n in node.shapes[0] if n.kind == EACH)
        once = sum(_requested(n, variables) for n in node.shapes[0] if n.kind != EACH)
        return CONNECTION_COST + page + page * per_item + once
    return inner  # FLAT, EACH: one item's selection


def _actual(node: Node, value: Any) -> int:
    if node.kind == MUTATION:  # it ran, whatever it answered
        return MUTATION_COST + (_best(node.shapes, _actual_in, value) if isinstance(value, dict) else 0)
    if value is None:
        return 0
    if node.kind == CONNECTION:
        if not isinstance(value, dict):
            return 0
        items = [value.get(n.key) or () for n in node.shapes[0] if n.kind == EACH]
        returned = max((len(i) for i in items), default=0)
        total = CONNECTION_COST + returned
        for n in node.shapes[0]:
            if n.kind == EACH:
                total += sum(_best(n.shapes, _actual_in, item) for item in value.get(n.key) or () if item)
            else:
                total += _actual(n, value.get(n.key))
        return total
    if node.kind == BY_IDS:
        items = value if isinstance(value, list) else [value]
        return sum(OBJECT_COST + _best(node.shapes, _actual_in, item) for item in items if isinstance(item, dict))
    if isinstance(value, list):  # a plain list of objects costs what its most expensive item does
        found = [_best(node.shapes, _actual_in, item) for item in value if isinstance(item, dict)]
        return OBJECT_COST + max(found) if found else 0
    if not isinstance(value, dict):
        return 0
    inner = _best(node.shapes, _actual_in, value)
    return inner if node.kind == FLAT else OBJECT_COST + inner


def _actual_in(node: Node, parent: Any) -> int:
    return _actual(node, parent.get(node.key) if isinstance(parent, dict) else None)


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
