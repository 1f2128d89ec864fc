"""What an operation costs: calculated before execution, and counted again on what was answered.

The model is Shopify's (GitHub's is the same idea): an object field costs 1, a scalar or enum 0,
a connection 2 plus its page size (`first`/`last`, a variable's value, the default page when
absent), and what each item selects is paid once per item, so nested pages multiply; a
mutation costs 10 plus its payload's selection. Plain lists of objects cost what one object
does (they are bounded by the domain, e.g. an order's lines); `nodes(ids:)` is paid per id.
Inside a connection `edges`, `node` and `pageInfo` are part of the connection's price.
Interfaces and unions cost their most expensive possible type. Fragments count where they apply.

The document is compiled once (per query text and operation name, gateway/graphql/cost_plan.py)
into a small plan that keeps only the fields that cost something; the requested cost is then a
walk over that plan with the page sizes the variables give (cached per those sizes), and the
actual cost a walk of the answer along the same plan: connections by the items they returned,
fields that came back null free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.graphql.list_limit import MAX_LIST_ITEMS

OBJECT_COST = 1
CONNECTION_COST = 2
MUTATION_COST = 10
DEFAULT_PAGE = 20  # what a connection answers without `first`/`last` (resolvers.pagination)
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
