"""`gateway explain FILE [--operation NAME]`: whether a query is answered by one SQL statement, and which.

For developers: it prints the plan's SQL (the caller's id and the request's values are its parameters), or
why the standard path answers it. Needs no database.
"""

from __future__ import annotations

from pathlib import Path

from graphql import parse, validate

from gateway.cli_support import CommandError
from gateway.graphql.compiled.planner import explain
from gateway.graphql.schema import build_schema
from gateway.settings import Limits


def explain_document(path: Path, operation: str | None) -> str:
    try:
        source = path.read_text()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    schema = build_schema()._schema
    document = parse(source)
    errors = validate(schema, document)
    if errors:
        raise CommandError(f"the document is not valid: {errors[0].message}")
    found, why = explain(schema, document, operation, Limits().max_page_size)
    if found is None:
        return f"standard path: {why}"
    parameters = ", ".join(f"{b.name} from the request" for b in found.binders)
    return f"compiled: one statement\nparameters: caller_user_id, {parameters or 'no others'}\n\n{found.sql}"
