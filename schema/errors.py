"""Per-mutation `userErrors` types: each mutation has its own error type and code enum."""

# No `from __future__ import annotations`: the error classes are built at import
# time and Strawberry must see the real enum object in the annotation.
from collections.abc import Iterable
from enum import Enum
from typing import Any

import strawberry

from resolvers.results import Problem

PASSWORD_CODES = ("PASSWORD_TOO_SHORT", "PASSWORD_TOO_LONG", "PASSWORD_CONTAINS_EMAIL", "PASSWORD_TOO_GUESSABLE")


@strawberry.interface(description="An expected failure of a mutation, in terms a user can act on.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path to the input field at fault, if any.")
    problem: strawberry.Private[Problem]

    @strawberry.field
    def message(self, info: strawberry.Info) -> str:
        # Rendered here, when the answer is written, so the template travels untranslated until then.
        return self.problem.render(info.context.language)


def user_error(mutation: str, codes: Iterable[str]) -> tuple[type, type[Enum]]:
    """The `<Mutation>Error` type and its `<Mutation>ErrorCode` enum."""
    code_enum: Any = strawberry.enum(Enum(f"{mutation}ErrorCode", [(c, c) for c in codes]))  # type: ignore[misc]
    cls = type(f"{mutation}Error", (UserError,), {"__annotations__": {"code": code_enum}})
    return strawberry.type(cls), code_enum


def user_errors(error_type: type, code_enum: type[Enum], problems: Iterable[Problem]) -> list[Any]:
    return [error_type(field=list(p.field) if p.field else None, problem=p, code=code_enum(p.code)) for p in problems]
