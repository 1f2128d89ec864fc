"""How a GraphQL type reads from SQL, declared beside the type (the compiled read path).

A type that has a SQL source can be answered by one statement that builds the JSON in PostgreSQL
(`gateway/graphql/compiled`). Each declared field says how its JSON value comes from the object's row:
- `Scalar(column, kind)`: a column, as the standard path would serialize it (text, int, bool, enum, datetime);
- `Json(build)`: a SQL expression returning the JSON text itself, or NULL where SQL cannot render the value
  exactly as the standard path would (the request then takes the standard path);
- `NodeId(type_name)`: the Relay global id, built in SQL;
- `Nested(type_name)`: an object built from the same row (an address, an amount);
- `Row(type_name, rows)`: one object read from other rows (none: null);
- `Rows(type_name, rows, order)`: a list of objects;
- `Page(type_name, rows, order)`: a Relay connection, paged in SQL (`first`, `totalCount`).
Fields not declared keep to the standard path, and so does any query that selects one. The permission rule of
each field is not repeated here: the planner reads it from the field's own directive (`permissions/sql_rules.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, String, bindparam, select

from gateway.db.models import Organization
from permissions.caller import Caller

RowsOf = Callable[[Caller, Any], Select[Any]]  # (caller, the parent row's columns) -> rows
OrderOf = Callable[[Any], Sequence[ColumnElement[Any]]]  # the rows' columns -> ORDER BY


@dataclass(frozen=True, slots=True)
class Scalar:
    column: str
    kind: str = "text"  # text | int | bool | enum | datetime | enum_list


@dataclass(frozen=True, slots=True)
class Json:
    build: Callable[[Any], ColumnElement[str]]  # the row's columns -> JSON text (NULL: not expressible)


@dataclass(frozen=True, slots=True)
class NodeId:
    type_name: str
    column: str = "id"


@dataclass(frozen=True, slots=True)
class Nested:
    type_name: str
    columns: dict[str, str] = field(default_factory=dict)  # the nested type's column -> this row's column


@dataclass(frozen=True, slots=True)
class Row:
    type_name: str
    rows: RowsOf


@dataclass(frozen=True, slots=True)
class Rows:
    type_name: str
    rows: RowsOf
    order: OrderOf


PageRowsOf = Callable[[Caller, Any, dict[str, ColumnElement[Any]]], Select[Any]]


@dataclass(frozen=True, slots=True)
class Page:
    """`rows(caller, parent, values)`: `values` holds `now` (the request's time) and what the arguments beside
    `first` give (`within_days`: `until`, that many days after `now`)."""

    type_name: str  # the node's type
    rows: PageRowsOf
    order: OrderOf
    edge_type: str | None = None  # a connection whose edges carry fields of their own (`OrganizationEdge`)
    arguments: frozenset[str] = frozenset({"first"})  # the arguments SQL pages by; any other: standard path


SqlField = Scalar | Json | NodeId | Nested | Row | Rows | Page


@dataclass(frozen=True, slots=True)
class SqlType:
    fields: dict[str, SqlField]
    organization: str | None = None  # the column naming the object's organization, for the fields' rules
    product: str | None = None  # the column naming the object's product, for rules on a product's scope
    columns: dict[str, str] = field(default_factory=dict)  # rules' columns under another name in this row


@dataclass(frozen=True, slots=True)
class Root:
    """A root field: the row it answers (none: null), from the caller and its arguments as SQL values."""

    type_name: str
    rows: Callable[[Caller, dict[str, ColumnElement[Any]]], Select[Any]]
    arguments: dict[str, str] = field(default_factory=dict)  # argument -> the global id type it must decode to
    organization_argument: str | None = None  # where the field's rule finds its organization


def organization_row(caller: Caller, parent: Any) -> Select[Any]:
    """The organization an object belongs to (the field's own rule, `@member`, decides who reads it)."""
    found = select(*Organization.__table__.c).where(Organization.id == parent.organization_id)
    return found.where(Organization.deleted_at.is_(None))


def request_language() -> ColumnElement[str]:
    """The reader's language (`it`, `en`), a parameter of the plan filled in for each request."""
    return bindparam(REQUEST_LANGUAGE, None, type_=String())


REQUEST_LANGUAGE = "request_language"
SQL_TYPES: dict[str, SqlType] = {}
SQL_ROOTS: dict[str, Root] = {}


def sql_type(type_name: str, source: SqlType) -> SqlType:
    SQL_TYPES[type_name] = source
    return source


def sql_root(field_name: str, root: Root) -> Root:
    SQL_ROOTS[field_name] = root
    return root
