"""`gateway documents register FILE | list`: the trusted documents of first-party frontends.

A frontend's build writes a manifest of the documents it sends; registering it makes them trusted
(what `GATEWAY_TRUSTED_DOCUMENTS_ONLY` lets cookie sessions run). Understood manifests:
- Relay's compiler (`persisted_queries.json`) and GraphQL Code Generator's client preset
  (`persisted-documents.json`): `{"<sha256>": "<document>"}`;
- Apollo's persisted query manifest: `{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id", "name", "type", "body"}]}`.
Every document is checked (its hash, its parse, its validation against this schema) before any is
stored: a manifest with one bad document is refused whole, so a build never half-registers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gateway.cli_support import CommandError
from gateway.resources import Resources
from gateway.settings import Settings

APOLLO_FORMAT = "apollo-persisted-query-manifest"
OTHER_DIGESTS = {32: "MD5", 40: "SHA-1"}
SHOWN_PROBLEMS = 5


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    body: str
    name: str | None = None


def read_manifest(path: Path) -> list[Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path.name} is not a JSON manifest: {exc}") from None
    if isinstance(data, dict) and "format" in data:
        return _apollo_manifest(path, data)
    if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return [Entry(key, body) for key, body in data.items()]
    raise CommandError(
        f"{path.name} is neither a hash-to-document map (Relay, GraphQL Code Generator) "
        f"nor an Apollo persisted query manifest"
    )


def _apollo_manifest(path: Path, data: dict[str, object]) -> list[Entry]:
    if data.get("format") != APOLLO_FORMAT or data.get("version") != 1:
        found = f"{data.get('format')!r} version {data.get('version')!r}"
        raise CommandError(f"{path.name}: unknown manifest format {found}; expected {APOLLO_FORMAT!r} version 1")
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise CommandError(f"{path.name}: an Apollo manifest needs an `operations` list")
    entries = []
    for index, op in enumerate(operations):
        if not (isinstance(op, dict) and isinstance(op.get("id"), str) and isinstance(op.get("body"), str)):
            raise CommandError(f"{path.name}: operation {index} needs a string `id` and `body`")
        name = op.get("name")
        entries.append(Entry(op["id"], op["body"], name if isinstance(name, str) else None))
    return entries


def check(entries: list[Entry], settings: Settings | None = None) -> list[str]:
    """What is wrong with each entry, as `<hash> (<name>): <problem>`; empty when all may be registered."""
    from gateway.graphql.documents import problems, sha256_hex
    from gateway.graphql.request_body import SHA256_HEX
    from gateway.graphql.schema import build_schema

    schema = build_schema(settings)  # the limits this gateway runs with
    found = []
    for entry in entries:
        label = entry.id[:16] + (f" ({entry.name})" if entry.name else "")
        if not SHA256_HEX.fullmatch(entry.id):
            other = OTHER_DIGESTS.get(len(entry.id))
            hint = f" (it looks like {other}: set the compiler's hash algorithm to SHA-256)" if other else ""
            found.append(f"{label}: the key is not a lowercase hex SHA-256{hint}")
        elif sha256_hex(entry.body) != entry.id:
            found.append(f"{label}: the hash is not the SHA-256 of the document")
        else:
            found += [f"{label}: {problem}" for problem in problems(schema, entry.body)]
    return found


async def register(resources: Resources, path: Path, source: str | None) -> str:
    from graphql import parse

    from gateway.graphql.documents import operation_names
    from resolvers.persisted_documents import NewTrustedDocument, register_trusted

    entries = read_manifest(path)
    if not entries:
        raise CommandError(f"{path.name} lists no documents")
    found = check(entries, resources.settings)
    if found:
        more = f"; and {len(found) - SHOWN_PROBLEMS} more" if len(found) > SHOWN_PROBLEMS else ""
        raise CommandError(
            f"nothing registered: {len(found)} problem(s) in {path.name}: " + "; ".join(found[:SHOWN_PROBLEMS]) + more
        )
    unique = {e.id: e for e in entries}.values()
    documents = [NewTrustedDocument(e.id, e.body, e.name or operation_names(parse(e.body))) for e in unique]
    label = (source or path.name)[:200]
    new = await register_trusted(resources.db, documents, label, resources.clock.now())
    already = len(documents) - new
    return f"registered {new} trusted document(s) from {path.name} as {label!r}" + (
        f" ({already} already registered)" if already else ""
    )


async def list_documents(resources: Resources) -> str:
    from resolvers.persisted_documents import cached_count, trusted_documents

    rows = await trusted_documents(resources.reads)
    lines = [
        f"{row.sha256}  {row.trusted_at:%Y-%m-%d %H:%M}Z  {row.source}  {row.name or '(anonymous operation)'}"
        for row in rows
        if row.trusted_at is not None
    ]
    cached = await cached_count(resources.reads)
    lines.append(f"{len(rows)} trusted document(s); {cached} automatic persisted query(ies) cached")
    return "\n".join(lines)
