"""The longest list a request may carry, in its variables or in the document's literals.

Every list argument of the API takes at most MAX_LIST_ITEMS items (`nodes(ids:)`, product scopes,
order lines, pro-forma ids, filters): past that the request is the caller's mistake, refused
before any resolver or SQL sees it.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, ListValueNode, ValidationRule

MAX_LIST_ITEMS = 100
TOO_LONG = f"A list argument holds at most {MAX_LIST_ITEMS} items."


def has_long_list(value: Any) -> bool:
    # Iterative: orjson accepts nesting deeper than Python's recursion limit.
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                return True
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
    return False


class ListsWithinLimit(ValidationRule):
    def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
        if len(node.values) > MAX_LIST_ITEMS:
            self.report_error(GraphQLError(TOO_LONG, node, extensions={"code": "BAD_USER_INPUT"}))
