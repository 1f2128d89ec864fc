"""Cursor pagination (Relay style): opaque cursors over a keyset, never offsets.

A page is a `Window`: `first` rows after a cursor, or `last` rows before one. A cursor carries
the keyset values of its row and a digest of the list and ordering it came from (which list kind,
whose list, which sort keys and direction), so a cursor from another list, another organization,
another ordering, or one edited by hand is refused as BAD_USER_INPUT instead of silently paging
somewhere else. Cursors carry no authority: every page re-applies the caller's rights and scope.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Select, tuple_

from gateway.i18n import text
from permissions.errors import BadUserInput

T = TypeVar("T")
DEFAULT_PAGE = 20
DIGEST_BYTES = 8


@dataclass(frozen=True, slots=True)
class Window:
    """Which rows of a list one page holds: `size` rows from the start of the range (`first`), or from
    its end (`last`, `backward`); the range lies after `after` and before `before`."""

    size: int = DEFAULT_PAGE
    backward: bool = False
    after: str | None = None
    before: str | None = None


def window(first: int | None, after: str | None, last: int | None, before: str | None, maximum: int) -> Window:
    if first is not None and last is not None:
        raise BadUserInput("Give `first` or `last`, not both.")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= maximum:
            raise BadUserInput(text("`{name}` must be between 0 and {maximum}.", name=name, maximum=maximum))
    if last is not None:
        return Window(last, True, after, before)
    return Window(DEFAULT_PAGE if first is None else first, False, after, before)


@dataclass(slots=True)
class Page(Generic[T]):
    rows: list[T] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False


def list_identity(*parts: Any) -> str:
    """What a cursor belongs to: the list's kind, whose list it is, and its ordering."""
    return "|".join(str(p) for p in parts)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value) if isinstance(value, uuid.UUID) else value


def _digest(identity: str, payload: bytes) -> bytes:
    return hashlib.blake2b(identity.encode() + b"\0" + payload, digest_size=DIGEST_BYTES).digest()


def encode_cursor(identity: str, values: Sequence[Any]) -> str:
    payload = orjson.dumps([_plain(v) for v in values])
    return base64.urlsafe_b64encode(_digest(identity, payload) + payload).decode().rstrip("=")


def decode_cursor(
    identity: str, cursor: str, parsers: Sequence[Callable[[Any], Any]], argument: str = "after"
) -> tuple[Any, ...]:
    invalid = BadUserInput(text("The `{argument}` cursor does not belong to this list.", argument=argument))
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        digest, payload = raw[:DIGEST_BYTES], raw[DIGEST_BYTES:]
        if digest != _digest(identity, payload):
            raise invalid
        values = orjson.loads(payload)
        if not isinstance(values, list) or len(values) != len(parsers):
            raise ValueError
        return tuple(parse(v) for parse, v in zip(parsers, values, strict=True))
    except (ValueError, TypeError, AttributeError) as exc:
        raise invalid from exc


def seek(
    stmt: Select[Any],
    columns: Sequence[ColumnElement[Any]],
    descending: bool,
    page: Window,
    identity: str,
    parsers: Sequence[Callable[[Any], Any]],
) -> Select[Any]:
    """`stmt` cut to the window's range, ordered from the end the window starts at, one row past its size
    (which tells whether more rows lie beyond)."""
    keyset = tuple_(*columns)
    if page.after is not None:
        values = tuple_(*decode_cursor(identity, page.after, parsers, "after"))
        stmt = stmt.where(keyset < values if descending else keyset > values)
    if page.before is not None:
        values = tuple_(*decode_cursor(identity, page.before, parsers, "before"))
        stmt = stmt.where(keyset > values if descending else keyset < values)
    reverse = descending != page.backward
    return stmt.order_by(*(c.desc() if reverse else c for c in columns)).limit(page.size + 1)


def build_page(rows: Sequence[T], page: Window, identity: str, cursor_of: Callable[[T], Sequence[Any]]) -> Page[T]:
    """The rows `seek` read, in list order, with their cursors. Beyond the cursor the window starts from,
    rows exist when the cursor's own row does (Relay lets a server answer so without another query)."""
    kept = list(rows[: page.size])
    more = len(rows) > page.size
    if page.backward:
        kept.reverse()
    cursors = [encode_cursor(identity, cursor_of(r)) for r in kept]
    if page.backward:
        return Page(kept, cursors, has_next=page.before is not None, has_previous=more)
    return Page(kept, cursors, has_next=more, has_previous=page.after is not None)
