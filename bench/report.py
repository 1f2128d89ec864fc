"""The table `make bench` prints, and the notes that say when a figure is not to be trusted."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bench import explain, servers
from bench import scenarios as sc
from bench.seed import Seeded

LABELS = {
    "a": "a  viewer.organizations",
    "b": "b  organization(id)",
    "d": "d  org.products(50)",
    "d-token": "   (d), integration token",
    "e": "e  products search",
    "f": "f  viewer.expiring(50)",
    "g": "g  org.invoices(50)",
    "h": "h  payOrder PREPAID",
    "viewer": "   viewer.user",
    "viewer-off": "   viewer, no budgets",
    "logIn": "   logIn (argon2id)",
    "a-std": "a  standard path",
    "d-std": "d  standard path",
    "viewer-std": "   viewer, standard path",
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
    products = seeded.products
    print(
        f"products: {args.products} in one organization and {args.small_products} in another (both the heavy"
        f" user's), {args.products_per_org} in each\n  organization of the heavy and light users; 10% add-ons;"
        f" the heavy user sees products in {products.heavy_orgs} organizations, the light one in"
        f" {products.light_orgs}"
    )
    print(f"load: {args.connections} connections, {args.warmup:g} s warm-up + {args.seconds:g} s timed per scenario")
    if "settle" in timings:
        waited = timings["settle"]
        print(f"  (waited {waited:.1f} s for the gateway's start-up jobs round to end before the first window)")
    print()
    print(row([name for name, _ in COLUMNS]))
    print("-" * len(row([name for name, _ in COLUMNS])))
    floor_cpu = per_request_ms(measured["c"], "server_cpu_s") if "c" in measured else None
    for name, result in measured.items():
        cpu = per_request_ms(result, "server_cpu_s")
        ratio = f"{cpu / floor_cpu:.1f}x" if floor_cpu and name in ("a", "a-std", "c", "c-sql") else ""
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
    _product_notes(args, results)
    _billing_notes(args, results)
    _plans(args, results.get("plans", {}))
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
            f" on {light.checkouts}: {verdict}. Reads run in autocommit (no BEGIN/ROLLBACK, no pre-ping);"
            " each loader batch still checks out its own pooled connection, the floor one in all."
        )
    if "viewer" in measured and "viewer-off" in measured:
        on, off = (per_request_ms(measured[n], "server_cpu_s") for n in ("viewer", "viewer-off"))
        pg_on, pg_off = (per_request_ms(measured[n], "db_cpu_s") for n in ("viewer", "viewer-off"))
        print(
            f"The budget check (cost, then one statement on the query_cost_buckets row): viewer {on:.2f} server"
            f" CPU-ms/req with budgets,\n  {off:.2f} without: {on - off:+.2f} ms per request"
            f" (PostgreSQL {pg_on - pg_off:+.2f} ms)."
        )
    pairs = [(name, std) for std, name in (("a-std", "a"), ("d-std", "d"), ("viewer-std", "viewer"))]
    found = [(n, s) for n, s in pairs if n in measured and s in measured]
    if found:
        print("Compiled reads against the standard path (server CPU-ms/req, req/s):")
        for name, std in found:
            fast, slow = measured[name], measured[std]
            cpu, cpu_std = per_request_ms(fast, "server_cpu_s"), per_request_ms(slow, "server_cpu_s")
            rps, rps_std = fast["requests"] / fast["seconds"], slow["requests"] / slow["seconds"]
            print(
                f"  {name:7} {cpu:6.2f} vs {cpu_std:6.2f} ms ({cpu_std / cpu:.1f}x less),"
                f" {rps:.0f} vs {rps_std:.0f} req/s"
            )
    grown = [f"{name} {r['rss_mb'][0]:.0f}->{r['rss_mb'][1]:.0f}" for name, r in measured.items() if "rss_mb" in r]
    if grown:
        print("Server resident memory (MB) at the start and end of each window: " + ", ".join(grown) + ".")
    if counted:
        budget = ", ".join(f"{n} {len(c.budget)}" for n, c in counted.items() if n in LABELS)
        print(f"SQL/req leaves out the budget's own statements (spend, and refund when less was used): {budget}.")
    if args.show_sql and "a" in counted:
        print("\nSQL of one (a) request:")
        for i, statement in enumerate(counted["a"].statements, 1):
            print(f"  [{i}] {' '.join(statement.split())}")


def _same(counted: dict[str, Any], big: str, small: str) -> tuple[str, Any, Any] | None:
    if big not in counted or small not in counted:
        return None
    one, other = counted[big], counted[small]
    same = len(one.statements) == len(other.statements) and one.checkouts == other.checkouts
    return ("same" if same else "DIFFERENT: the statements grow with the data"), one, other


def _product_notes(args: argparse.Namespace, results: dict[str, Any]) -> None:
    counted = results.get("counted", {})
    products = results["seeded"].products
    if found := _same(counted, "d", "d-small"):
        verdict, big, small = found
        print(
            f"SQL for (d), counted in process: {args.products} products {len(big.statements)} statements on"
            f" {big.checkouts} pool checkouts, {args.small_products} products {len(small.statements)} on"
            f" {small.checkouts}: {verdict}."
        )
        with_add_ons, add_ons = sc.add_ons_in(big.answer)
        print(f"  (d) answers 50 products, {with_add_ons} of them with add-ons ({add_ons} in all).")
    if found := _same(counted, "f", "f-light"):
        verdict, heavy, light = found
        print(
            f"SQL for (f): heavy user ({products.heavy_orgs} organizations) {len(heavy.statements)} statements on"
            f" {heavy.checkouts} checkouts, light user ({products.light_orgs}) {len(light.statements)} on"
            f" {light.checkouts}: {verdict}."
        )
        print(
            f"  (f) answers {len(heavy.answer['data']['viewer']['expiringProducts']['edges'])} of the"
            f" {products.heavy_expiring} products expiring within 30 days, from {sc.organizations_in(heavy.answer)}"
            " organization(s)."
        )
    if "e" in counted:
        share = products.search_matches / args.products
        print(
            f"(e) searches {products.search!r}: in {products.search_matches} of the {args.products} names"
            f" ({share:.1%}); the gateway's totalCount agrees."
        )


def _plans(args: argparse.Namespace, plans: dict[str, list[explain.Plan]]) -> None:
    if not plans:
        return
    print(
        "\nEXPLAIN (ANALYZE, BUFFERS) of one request's statements, with their captured parameters, each as a"
        "\nprepared statement (as asyncpg runs them): its 1st execution (a custom plan) and its 6th, when"
        "\nPostgreSQL may have switched to a generic plan (G). ms: execution time; buffers: shared hit+read."
    )
    for name, found in plans.items():
        first = sum(p.first.ms for p in found)
        settled = sum(p.settled.ms for p in found)
        print(
            f"\n({name}) {len(found)} statements: {first:.2f} ms executing in the 1st run, {settled:.2f} ms in the 6th"
        )
        print(f"  {'':4}{'reads':<23}{'1st ms':>8}{'6th ms':>8}  {'rows':>5} {'buffers':>8}  scans (1st run)")
        for i, plan in enumerate(found, 1):
            reads = f"{f'[{i}]':<4}{explain.describe(plan.statement):<23}"
            if plan.error:
                print(f"  {reads} EXPLAIN failed: {plan.error.splitlines()[0]}")
                continue
            mark = "G" if plan.generic else " "
            print(
                f"  {reads}{plan.first.ms:>8.2f}{plan.settled.ms:>7.2f}{mark}"
                f"  {plan.first.rows:>5.0f} {plan.first.hit + plan.first.read:>8}  {plan.first.summary()}"
            )
            if plan.changed:
                print(f"  {'':29}6th run: {plan.settled.summary()}")
        _verdicts(name, found)
        if args.show_plans:
            for i, plan in enumerate(found, 1):
                print(f"\n  [{i}] 1st run:\n" + _indent(plan.first.text))
                if plan.changed or plan.generic:
                    print(f"  [{i}] 6th run{' (generic plan)' if plan.generic else ''}:\n" + _indent(plan.settled.text))


def _verdicts(name: str, found: list[explain.Plan]) -> None:
    """What the brief of each scenario asks of the plans: the indexes it needs, no sequential scan of products."""

    def where(test: Any) -> str:
        found_in = []
        for i, plan in enumerate(found, 1):
            first, settled = (not plan.error and test(plan.first)), (not plan.error and test(plan.settled))
            if first or settled:
                found_in.append(f"[{i}]" + ("" if first and settled else " 1st run" if first else " 6th run"))
        return ", ".join(found_in)

    organization = where(lambda run: set(run.indexes) & set(explain.ORGANIZATION_INDEXES))
    seq = where(lambda run: "products" in run.seq_scans)
    print(f"  organization indexes on products: {'used by ' + organization if organization else 'not used'}")
    if name == "e":
        trigram = where(lambda run: explain.TRIGRAM_INDEX in run.indexes)
        print(f"  trigram GIN index {explain.TRIGRAM_INDEX}: {'used by ' + trigram if trigram else 'NOT USED'}")
    print(f"  sequential scan of products: {'YES, in ' + seq if seq else 'none'}")
    for i, plan in enumerate(found, 1):
        if not plan.error and plan.settled.ms > max(0.5, 2 * plan.first.ms):
            kind = "generic plan" if plan.generic else "plan"
            print(
                f"  SLOWER ONCE SETTLED: [{i}] {explain.describe(plan.statement)}: the {kind} of the 6th run takes"
                f" {plan.settled.ms:.2f} ms, the 1st run's {plan.first.ms:.2f} ms"
            )


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines())


def _billing_notes(args: argparse.Namespace, results: dict[str, Any]) -> None:
    counted = results.get("counted", {})
    if found := _same(counted, "g", "g-small"):
        verdict, big, small = found
        print(
            f"SQL for (g), counted in process: {args.invoices} invoices {len(big.statements)} statements on"
            f" {big.checkouts} checkouts, {args.small_invoices} invoices {len(small.statements)} on"
            f" {small.checkouts}: {verdict}."
        )
    if "h" in counted:
        print(
            f"SQL for (h), counted in process: one PREPAID payment {len(counted['h'].statements)} statements"
            f" on {counted['h'].checkouts} checkouts."
        )
    if args.show_sql and "h" in counted:
        print("\nSQL of one (h) payment:")
        for i, statement in enumerate(counted["h"].statements, 1):
            print(f"  [{i}] {' '.join(statement.split())}")
    payments = results.get("payments")
    if not payments:
        return
    m, window = payments["measured"], payments["in_window"]
    ok, refused = window.get("SUCCEEDED", 0), window.get("INSUFFICIENT_FUNDS", 0)
    print(
        f"\n(h) payments, {args.pay_funded} of {args.pay_orders} orders covered by the balance, each order paid once"
        f" by one of {args.connections} connections:"
        f"\n  in the {m['seconds']:.1f} s window: {ok / m['seconds']:.0f} payments/s succeeded ({ok}),"
        f" {refused / m['seconds']:.0f}/s refused INSUFFICIENT_FUNDS ({refused}); all answers: {window}"
        f"\n  p50 {m['p50_ms']:.2f} ms, p99 {m['p99_ms']:.2f} ms; server CPU {per_request_ms(m, 'server_cpu_s'):.2f}"
        f" ms per answer"
        + (f", {m['server_cpu_s'] * 1000 / ok:.2f} ms per successful payment" if ok else "")
        + f"; PG {per_request_ms(m, 'db_cpu_s'):.2f} ms per answer"
    )
    if m.get("exhausted_after") is not None:
        print(f"  NOTE: every order was sent {m['exhausted_after']:.1f} s into the window; raise --pay-orders")
    if ok and not refused:
        print("  NOTE: no payment was refused in the window: the balance outlasted it (lower --pay-funded)")
    print(f"  whole run (checks, {payments['pairs']} duplicate pairs, warm-up, window): {payments['outcomes']}")
    print(f"  database: {payments['database']}")
    if payments["wrong"]:
        print("  DISCREPANCIES:")
        for line in payments["wrong"]:
            print(f"    {line}")
    else:
        print(
            "  zero lost or doubled: PAID orders == SUCCEEDED answers, balance == initial - PAYMENT entries =="
            " ledger sum, >= 0,\n  invoice numbers gapless per year (== counter), one SUCCEEDED payment and one"
            f" debit per paid order, {payments['pairs']} duplicate pairs charged once each"
        )
