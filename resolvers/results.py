from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gateway.i18n import Text, render

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """An expected failure, shown to the client as one of a payload's `userErrors`.

    `message` is the English template (the catalog's msgid) and `params` its values: the
    text is rendered in the caller's language only when the payload is answered.
    """

    code: str
    message: str | Text
    field: tuple[str, ...] | None = None
    params: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.message, Text):  # a Text carries its own parameters
            object.__setattr__(self, "params", {**self.message.params, **(self.params or {})})
            object.__setattr__(self, "message", self.message.template)

    def render(self, language: str) -> str:
        return render(str(self.message), self.params, language)


@dataclass(slots=True)
class Outcome(Generic[T]):
    value: T | None = None
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def fail(cls, code: str, message: str | Text, *path: str, **params: Any) -> Outcome[T]:
        return cls(problems=[Problem(code, message, path or None, params or None)])

    @property
    def ok(self) -> bool:
        return not self.problems
