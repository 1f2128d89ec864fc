from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from resolvers.results import Outcome
from schema.common import Info
from schema.errors import user_errors

P = TypeVar("P")


async def payload(
    info: Info,
    cls: Callable[..., P],
    error: tuple[type, type],
    outcome: Outcome[Any],
    otherwise: dict[str, Any] | None = None,
    **fields: Callable[[Any], Any],
) -> P:
    """A mutation payload: each field built from the outcome's value on success; on failure None,
    or the value `otherwise` gives (e.g. False for a non-null flag)."""
    values: dict[str, Any] = dict.fromkeys(fields) | (otherwise or {})
    if outcome.ok:
        # What the payload reads next must see the change just committed, not the request's cache.
        info.context.refresh_loaders()
        for name, build in fields.items():
            value = build(outcome.value)
            values[name] = await value if inspect.isawaitable(value) else value
    return cls(**values, user_errors=user_errors(error[0], error[1], outcome.problems))
