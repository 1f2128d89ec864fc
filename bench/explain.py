"""EXPLAIN (ANALYZE, BUFFERS) of what one request runs: the statements the in-process count captured
(bench/scenarios.py, `after_cursor_execute`), each run again with its own parameters.

asyncpg prepares every statement the gateway sends and keeps it per connection, so each statement
is run the same way: PREPAREd by name, then EXECUTEd with the captured values (as literals, typed
by the PREPARE), in a transaction that is rolled back, on a connection with the gateway's session
settings. Two plans are read (as JSON: execution time, rows, shared buffers, every scan and its
index, or a sequential scan of which table):
- the first execution's, a custom plan for these values (executions 1 to 5 are all custom);
- the sixth execution's: from then on PostgreSQL (plan_cache_mode = auto) may switch a prepared
  statement to a generic plan, made without the values, when its estimated cost is not above
  the custom plans' average. `pg_prepared_statements` says which one it took. This is the plan a
  served gateway runs once a pooled connection has run the statement five times.
Times are the fastest of executions 1-4 and of 6-8: a single run is too noisy to compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson

from bench.scenarios import Counted
from bench.seed import plain_dsn

NAME = "bench_explained"
# The indexes the products domain relies on (gateway/db/models/products.py).
TRIGRAM_INDEX = "ix_products_name_trigrams"
ORGANIZATION_INDEXES = (
    "ix_products_organization_id_name_id",
    "ix_products_organization_id_expires_at_id",
    "ix_products_organization_id_created_at_id",
)


@dataclass(frozen=True, slots=True)
class Scan:
    node: str  # "Index Scan", "Seq Scan", "Bitmap Index Scan", ...
    relation: str | None
    index: str | None
    rows: float  # rows out, all loops together
    removed: float  # rows read and dropped by a filter, all loops together

    def label(self) -> str:
        if self.index:
            return f"{self.node} {self.index}"
        read = f" ({self.rows + self.removed:.0f} rows read)" if self.node == "Seq Scan" else ""
        return f"{self.node} {self.relation}{read}"


@dataclass
class Execution:
    ms: float = 0.0
    planning_ms: float = 0.0
    rows: float = 0.0
    hit: int = 0  # shared buffers found in PostgreSQL's cache
    read: int = 0  # shared buffers read from the OS
    scans: list[Scan] = field(default_factory=list)
    text: str = ""  # as EXPLAIN prints it (--show-plans)

    @property
    def seq_scans(self) -> list[str]:
        return sorted({s.relation or "?" for s in self.scans if s.node == "Seq Scan"})

    @property
    def indexes(self) -> list[str]:
        return sorted({s.index for s in self.scans if s.index})

    def summary(self) -> str:
        return "; ".join(dict.fromkeys(s.label() for s in self.scans)) or "no table scanned"


@dataclass
class Plan:
    statement: str
    first: Execution = field(default_factory=Execution)  # custom plan, for these values
    settled: Execution = field(default_factory=Execution)  # the sixth execution's plan
    generic: bool = False  # whether the sixth execution used a generic plan
    error: str = ""

    @property
    def changed(self) -> bool:
        """The settled plan reads differently from the first (another index, or a scan more or less)."""
        return [s.label() for s in self.first.scans] != [s.label() for s in self.settled.scans]


def describe(statement: str) -> str:
    """What a statement reads, in a few words: its first FROM, or the page a LATERAL join cuts."""
    flat = " ".join(statement.split())
    if write := re.match(r"(INSERT INTO|UPDATE|DELETE FROM) (\w+)", flat, re.IGNORECASE):
        return f"{write.group(1).split()[0].lower()} {write.group(2)}"
    if "JOIN LATERAL" in flat:
        inner = re.search(r"JOIN LATERAL \(SELECT .*? FROM (\w+)", flat)
        return f"{inner.group(1) if inner else '?'} page (LATERAL)"
    first = re.search(r"\bFROM (\w+)", flat)
    table = first.group(1) if first else "?"
    if re.search(r"\bcount\(", flat):
        return f"{table} count"
    if "parent_id IN" in flat:
        return f"{table} by parent_id"
    return table


def literal(value: Any) -> str:
    """A parameter value as an untyped SQL literal (the prepared statement's parameter type applies)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, bytes):
        return f"'\\x{value.hex()}'"
    if isinstance(value, datetime | date):
        return _quote(value.isoformat())
    if isinstance(value, list | tuple):
        return _quote("{" + ",".join(_array_element(v) for v in value) + "}")
    if isinstance(value, dict):
        return _quote(orjson.dumps(value).decode())
    return _quote(str(value))  # str, UUID, Decimal


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _array_element(value: Any) -> str:
    if value is None:
        return "NULL"
    text = value.isoformat() if isinstance(value, datetime | date) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _walk(node: dict[str, Any], found: list[Scan]) -> None:
    if "Scan" in node.get("Node Type", "") and (node.get("Relation Name") or node.get("Index Name")):
        loops = int(node.get("Actual Loops", 1) or 1)
        found.append(
            Scan(
                node=node["Node Type"],
                relation=node.get("Relation Name"),
                index=node.get("Index Name"),
                rows=float(node.get("Actual Rows", 0)) * loops,
                removed=float(node.get("Rows Removed by Filter", 0)) * loops,
            )
        )
    for child in node.get("Plans", []):
        _walk(child, found)


async def _explain(conn: asyncpg.Connection, execute: str) -> Execution:
    raw = await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {execute}")
    found = (orjson.loads(raw) if isinstance(raw, str | bytes) else raw)[0]
    top = found["Plan"]
    run = Execution(
        ms=float(found.get("Execution Time", 0.0)),
        planning_ms=float(found.get("Planning Time", 0.0)),
        rows=float(top.get("Actual Rows", 0)),
        hit=int(top.get("Shared Hit Blocks", 0)),
        read=int(top.get("Shared Read Blocks", 0)),
    )
    _walk(top, run.scans)
    return run


async def _executions(conn: asyncpg.Connection, execute: str, times: int) -> Execution:
    """`times` executions under EXPLAIN ANALYZE: the first one's plan, the fastest time (one run is noisy)."""
    runs = [await _explain(conn, execute) for _ in range(times)]
    found = runs[0]
    found.ms = min(run.ms for run in runs)
    return found


async def explain_one(conn: asyncpg.Connection, statement: str, parameters: Any) -> Plan:
    plan = Plan(statement)
    values = ", ".join(literal(v) for v in parameters or ())
    execute = f"EXECUTE {NAME}({values})" if values else f"EXECUTE {NAME}"
    text = f"EXPLAIN (ANALYZE, BUFFERS) {execute}"
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute("SET LOCAL plan_cache_mode = auto")
        await conn.execute(f"PREPARE {NAME} AS {statement}")
        plan.first = await _executions(conn, execute, 4)  # executions 1 to 4: custom plans
        plan.first.text = "\n".join(r[0] for r in await conn.fetch(text))  # 5
        plan.settled = await _executions(conn, execute, 3)  # 6 to 8: from the 6th, maybe generic
        plan.generic = bool(
            await conn.fetchval("SELECT generic_plans > 0 FROM pg_prepared_statements WHERE name = $1", NAME)
        )
        plan.settled.text = "\n".join(r[0] for r in await conn.fetch(text))
    except asyncpg.PostgresError as exc:
        plan.error = f"{type(exc).__name__}: {exc}"
    finally:
        await tx.rollback()  # EXPLAIN ANALYZE ran the statement: nothing of it stays
        if await conn.fetchval("SELECT count(*) FROM pg_prepared_statements WHERE name = $1", NAME):
            await conn.execute(f"DEALLOCATE {NAME}")  # a PREPARE outlives the transaction
    return plan


async def explain_all(database_url: str, counted: dict[str, Counted]) -> dict[str, list[Plan]]:
    """Every captured statement of each scenario, in the order the request ran them."""
    if not counted:
        return {}
    conn = await asyncpg.connect(plain_dsn(database_url), server_settings={"timezone": "UTC"})
    try:
        return {
            name: [await explain_one(conn, s, p) for s, p in zip(c.statements, c.parameters, strict=True)]
            for name, c in counted.items()
        }
    finally:
        await conn.close()
