"""A static cost limit: every selected field costs 1, times the page size of the lists around it.

Depth, alias and token limits bound the document; this bounds what it can make
the server fetch (`organizations(first: 100) { products(first: 100) { … } }`).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

PAGE_ARGUMENTS = ("first", "last")


def cost_limit_rule(max_cost: int, default_page: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragments = {f.name.value: f for f in context.document.definitions if hasattr(f, "type_condition")}

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            cost = self._selection_cost(node.selection_set, set())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"The query would cost {cost}, above the limit of {max_cost}; ask for smaller pages.",
                        node,
                    )
                )

        def _selection_cost(self, selection_set: SelectionSetNode | None, seen: set[str]) -> int:
            if selection_set is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    inner = self._selection_cost(selection.selection_set, seen)
                    total += 1 + inner * self._page_size(selection)
                elif isinstance(selection, InlineFragmentNode):
                    total += self._selection_cost(selection.selection_set, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in seen:
                        total += self._selection_cost(fragment.selection_set, seen | {name})
            return total

        def _page_size(self, field: FieldNode) -> int:
            for argument in field.arguments or ():
                if argument.name.value in PAGE_ARGUMENTS:
                    if isinstance(argument.value, IntValueNode):
                        return max(1, int(argument.value.value))
                    if isinstance(argument.value, VariableNode):
                        return default_page
            return 1

    return CostLimit
