from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """An expected failure, shown to the client as one of a payload's `userErrors`."""

    code: str
    message: str
    field: tuple[str, ...] | None = None


@dataclass(slots=True)
class Outcome(Generic[T]):
    value: T | None = None
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def fail(cls, code: str, message: str, *path: str) -> Outcome[T]:
        return cls(problems=[Problem(code, message, path or None)])

    @property
    def ok(self) -> bool:
        return not self.problems
