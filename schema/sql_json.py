"""JSON text built in SQL, byte for byte as the standard path writes it (orjson, compact, keys in order).

Every builder returns a text expression; NULL means "cannot answer here" and spreads through `||`, so a refused
rule or a value SQL cannot render exactly (an internationalised domain name, say) sends the whole request to
the standard path, while a JSON null is the text `null`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, Text, case, cast, distinct, func, literal_column, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import True_

NULL_TEXT = "null"


def text_literal(value: str) -> ColumnElement[str]:
    """Written into the statement, not bound: a plan's constants are part of its text (prepared once)."""
    return literal_column("'" + value.replace("'", "''") + "'", type_=Text)


def concat(*parts: ColumnElement[Any]) -> ColumnElement[str]:
    joined: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(part)
    return joined.op("||")(text_literal("")) if len(parts) == 1 else joined


def string(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.coalesce(cast(func.to_json(cast(value, Text)), Text), text_literal(NULL_TEXT))


def integer(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.coalesce(cast(value, Text), text_literal(NULL_TEXT))


def boolean(value: ColumnElement[Any]) -> ColumnElement[str]:
    return case((value.is_(None), text_literal(NULL_TEXT)), (value, text_literal("true")), else_=text_literal("false"))


def timestamp(value: ColumnElement[Any]) -> ColumnElement[str]:
    """As Python's `isoformat()` of an aware UTC datetime: microseconds only when there are some."""
    utc = value.op("AT TIME ZONE")(literal_column("'UTC'"))
    whole_second = func.mod(cast(func.date_part("microseconds", value), Integer), 1_000_000) == 0
    fraction = case((whole_second, text_literal("")), else_=concat(text_literal("."), func.to_char(utc, "US")))
    body = concat(text_literal('"'), func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS'), fraction, text_literal('+00:00"'))
    return case((value.is_(None), text_literal(NULL_TEXT)), else_=body)


def global_id(type_name: str, value: ColumnElement[Any]) -> ColumnElement[str]:
    """Relay's global id: base64 of `Type:id`, as strawberry.relay.GlobalID writes it."""
    return base64_string(concat(text_literal(f"{type_name}:"), cast(value, Text)))


def base64_string(value: ColumnElement[Any]) -> ColumnElement[str]:
    """A JSON string of the standard base64 of the text's UTF-8 (PostgreSQL breaks its lines; Python does not)."""
    raw = func.convert_to(value, literal_column("'UTF8'"))
    encoded = func.replace(func.encode(raw, literal_column("'base64'")), literal_column("E'\\n'"), text_literal(""))
    return concat(text_literal('"'), encoded, text_literal('"'))


def obj(members: Sequence[tuple[str, ColumnElement[str]]]) -> ColumnElement[str]:
    if not members:
        return text_literal("{}")
    parts: list[ColumnElement[Any]] = []
    for index, (key, value) in enumerate(members):
        parts.append(text_literal(("{" if index == 0 else ",") + _key(key) + ":"))
        parts.append(value)
    parts.append(text_literal("}"))
    return concat(*parts)


def _key(key: str) -> str:
    return '"' + key + '"'  # response keys are GraphQL names: [_A-Za-z][_0-9A-Za-z]*, nothing to escape


def guarded(allowed: ColumnElement[bool], value: ColumnElement[str]) -> ColumnElement[str]:
    """The value where the rule holds; NULL (the standard path answers) where it does not."""
    if isinstance(allowed, True_):
        return value
    return case((allowed, value), else_=null())


def one(value: ColumnElement[str]) -> ColumnElement[str]:
    """Over the rows of a subquery: `null` for none, the row's value for one, NULL if it could not be built."""
    return case(
        (func.count() == 0, text_literal(NULL_TEXT)),
        (func.count(value) == func.count(), func.min(value)),
        else_=null(),
    )


def many(value: ColumnElement[str], order: Sequence[ColumnElement[Any]]) -> ColumnElement[str]:
    """A JSON list of the subquery's values in `order`, or NULL if any could not be built."""
    joined = (
        func.string_agg(value, aggregate_order_by(text_literal(","), *order))
        if order
        else func.string_agg(value, text_literal(","))
    )
    return case(
        (
            func.count(value) == func.count(),
            concat(text_literal("["), func.coalesce(joined, text_literal("")), text_literal("]")),
        ),
        else_=null(),
    )


def sorted_strings(values: ColumnElement[Any]) -> ColumnElement[str]:
    """A text array as a JSON list, distinct and in code-point order (Python's `sorted`), whatever the collation."""
    item = func.unnest(values).table_valued("v").render_derived(name="item")
    as_json = cast(func.to_json(item.c.v), Text).collate("C")
    listed = select(
        func.string_agg(distinct(as_json), aggregate_order_by(text_literal(","), as_json))
    ).scalar_subquery()
    return concat(text_literal("["), func.coalesce(listed, text_literal("")), text_literal("]"))


def constant(value: str) -> ColumnElement[str]:
    """JSON text known when the plan is made."""
    return text_literal(value)
