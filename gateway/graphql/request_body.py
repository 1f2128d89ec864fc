"""Reading a GraphQL request (a POSTed body, GET parameters) defensively: any bytes get a coded refusal.

Strawberry's reader lets a body that is not an object, invalid UTF-8 or a deeply nested array
escape as a server error; this one checks each member's type, and refuses NUL characters,
which PostgreSQL cannot store in text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson
from strawberry.http import GraphQLRequestData

from gateway.graphql.list_limit import TOO_LONG, has_long_list

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MEMBERS = {"query": str, "variables": dict, "operationName": str, "extensions": dict}


class BadRequestBody(Exception):
    """The body is not a GraphQL request: the client's mistake (BAD_USER_INPUT)."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(message)
        self.message, self.code = message, code


def has_nul(value: Any) -> bool:
    # Iterative: orjson accepts nesting deeper than Python's recursion limit.
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return False


def parse_request_body(body: bytes) -> GraphQLRequestData:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequestBody(f"The body is not valid JSON: {exc.msg}.") from None
    if isinstance(data, list):
        raise BadRequestBody("Batching is not enabled", "BAD_REQUEST")
    if not isinstance(data, dict):
        raise BadRequestBody("The body must be a JSON object with `query` and, optionally, `variables`.")
    return request_of(data)


def parse_query_parameters(params: Mapping[str, str]) -> GraphQLRequestData:
    """A GET request: `query`, `operationName`, and `variables` and `extensions` as JSON text."""
    data: dict[str, Any] = {name: params.get(name) for name in ("query", "operationName")}
    for name in ("variables", "extensions"):
        raw = params.get(name)
        if raw:
            try:
                data[name] = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise BadRequestBody(f"The `{name}` parameter is not valid JSON: {exc.msg}.") from None
    return request_of(data)


def request_of(data: dict[str, Any]) -> GraphQLRequestData:
    for name, kind in MEMBERS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, kind):
            expected = "a string" if kind is str else "an object"
            raise BadRequestBody(f"The request's `{name}` must be {expected} or null.")
    extensions = data.get("extensions") or {}
    if "persistedQuery" in extensions:
        check_persisted_query(extensions["persistedQuery"])
    elif not data.get("query"):
        raise BadRequestBody("The request has no `query`.")
    if has_nul(data):
        raise BadRequestBody("Text may not contain NUL characters (\\u0000).")
    if has_long_list(data.get("variables")):
        raise BadRequestBody(TOO_LONG)
    return GraphQLRequestData(
        query=data.get("query") or None,
        variables=data.get("variables"),
        operation_name=data.get("operationName"),
        extensions=data.get("extensions"),
        protocol="http",
    )


def check_persisted_query(persisted: object) -> None:
    """Apollo's `extensions.persistedQuery`: `{version: 1, sha256Hash}`, the hash in lowercase hex."""
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise BadRequestBody("Unsupported persisted query version: send `persistedQuery.version` 1.", "BAD_REQUEST")
    if not isinstance(persisted.get("sha256Hash"), str) or not SHA256_HEX.fullmatch(persisted["sha256Hash"]):
        raise BadRequestBody(
            "`persistedQuery.sha256Hash` must be the SHA-256 of the document, in lowercase hexadecimal.",
            "BAD_REQUEST",
        )
