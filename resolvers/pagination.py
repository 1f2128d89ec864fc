"""Cursor pagination (Relay style): opaque cursors over a keyset, never offsets."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson

from gateway.i18n import text
from permissions.errors import BadUserInput

T = TypeVar("T")
DEFAULT_PAGE = 20


@dataclass(slots=True)
class Page(Generic[T]):
    rows: list[T] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)
    has_next: bool = False


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


def decode_cursor(cursor: str, parsers: Sequence[Callable[[Any], Any]]) -> tuple[Any, ...]:
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(parsers):
            raise ValueError
        return tuple(parse(v) for parse, v in zip(parsers, raw, strict=True))
    except (ValueError, TypeError) as exc:
        raise BadUserInput("The `after` cursor is not valid.") from exc


def page_size(first: int | None, maximum: int) -> int:
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= maximum:
        raise BadUserInput(text("`first` must be between 0 and {maximum}.", maximum=maximum))
    return size


def build_page(rows: Sequence[T], first: int, cursor_of: Callable[[T], Sequence[Any]]) -> Page[T]:
    kept = list(rows[:first])
    return Page(rows=kept, cursors=[encode_cursor(cursor_of(r)) for r in kept], has_next=len(rows) > first)
