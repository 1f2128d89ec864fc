"""The table `make bench` prints, and the notes that say when a figure is not to be trusted."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bench import servers
from bench.seed import Seeded

LABELS = {
    "a": "a  viewer.organizations",
    "b": "b  organization(id)",
    "viewer": "   viewer.user",
    "logIn": "   logIn (argon2id)",
    "c": "c  floor: asyncpg+dicts",
    "c-sql": "   floor: JSON in SQL",
}
COLUMNS = (
    ("scenario", 24),
    ("req/s", 7),
    ("p50 ms", 8),
    ("p99 ms", 8),
    ("SQL/req", 7),
    ("server CPU-ms/req", 17),
    ("PG CPU-ms/req", 13),
    ("vs floor", 8),
    ("core 1", 6),
    ("others", 6),
)


def per_request_ms(result: dict[str, Any], key: str) -> float:
    return float(result[key]) * 1000 / result["requests"]


def share(result: dict[str, Any], *keys: str) -> float:
    """Of one core, during the timed window."""
    return sum(float(result[k]) for k in keys) / float(result["seconds"])


def row(cells: list[str]) -> str:
    first, *rest = cells
    return f"{first:<{COLUMNS[0][1]}} " + " ".join(f"{c:>{w}}" for c, (_, w) in zip(rest, COLUMNS[1:], strict=True))


def print_report(args: argparse.Namespace, results: dict[str, Any], timings: dict[str, float]) -> None:
    seeded: Seeded = results["seeded"]
    measured: dict[str, dict[str, Any]] = results["measured"]
    sql: dict[str, int] = results["sql"]
    pinning = "gateway/floor on core 0; PostgreSQL + load generator on core 1" if servers.PINNED else "not pinned"
    counts = ", ".join(f"{n} {table}" for table, n in seeded.counts.items())
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, {pinning}")
    print(f"load average before the run: {timings['load_before']:.2f}")
    print(f"data: {counts}; heavy user in {args.heavy_orgs} organizations; seeded in {timings['seed']:.1f} s")
    print(f"load: {args.connections} connections, {args.warmup:g} s warm-up + {args.seconds:g} s timed per scenario\n")
    print(row([name for name, _ in COLUMNS]))
    print("-" * len(row([name for name, _ in COLUMNS])))
    floor_cpu = per_request_ms(measured["c"], "server_cpu_s") if "c" in measured else None
    for name, result in measured.items():
        cpu = per_request_ms(result, "server_cpu_s")
        ratio = f"{cpu / floor_cpu:.1f}x" if floor_cpu and name in ("a", "c", "c-sql") else ""
        print(
            row(
                [
                    LABELS[name],
                    f"{result['requests'] / result['seconds']:.0f}",
                    f"{result['p50_ms']:.2f}",
                    f"{result['p99_ms']:.2f}",
                    str(sql.get(name, "")),
                    f"{cpu:.2f}",
                    f"{per_request_ms(result, 'db_cpu_s'):.2f}",
                    ratio,
                    f"{share(result, 'db_cpu_s', 'client_cpu_s'):.0%}",
                    f"{share(result, 'other_cpu_s'):.0%}",
                ]
            )
        )
    print(
        "\nCPU-ms/req: CPU time of the server process (or of PostgreSQL: postmaster and backends) in the window,"
        "\n  divided by the answers completed in it. vs floor: server CPU-ms/req over that of (c)."
        "\ncore 1: PostgreSQL + load generator, share of one core; near 100% the req/s is theirs, not the server's."
        "\nothers: CPU used meanwhile by every other process on the machine; above ~10%, distrust the row."
    )
    _notes(args, results, measured)
    print(f"\ntotal {timings['total']:.1f} s (including PostgreSQL start, seeding and stop)")


def _notes(args: argparse.Namespace, results: dict[str, Any], measured: dict[str, dict[str, Any]]) -> None:
    counted = results.get("counted", {})
    if "a" in measured and "c" in measured:
        a, c = measured["a"], measured["c"]
        cpu = per_request_ms(a, "server_cpu_s") / per_request_ms(c, "server_cpu_s")
        rps = (a["requests"] / a["seconds"]) / (c["requests"] / c["seconds"])
        print(f"\n(a) against the floor (c): {cpu:.1f}x the server CPU per request, {rps:.2f}x the req/s")
    if "a" in counted and "a-light" in counted:
        heavy, light = counted["a"], counted["a-light"]
        same = len(heavy.statements) == len(light.statements) and heavy.checkouts == light.checkouts
        verdict = "same" if same else "DIFFERENT: the statements grow with the number of organizations"
        print(
            f"SQL for (a), counted in process: heavy user (50 organizations) {len(heavy.statements)} statements"
            f" on {heavy.checkouts} pool checkouts,\n  light user (5 organizations) {len(light.statements)}"
            f" on {light.checkouts}: {verdict}. Each checkout adds a pre-ping and BEGIN/ROLLBACK round trips;"
            " the floor uses one."
        )
    if args.show_sql and "a" in counted:
        print("\nSQL of one (a) request:")
        for i, statement in enumerate(counted["a"].statements, 1):
            print(f"  [{i}] {' '.join(statement.split())}")
