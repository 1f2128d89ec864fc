"""`make bench`: the gateway under load, served by uvicorn, against a large throwaway database.

1. A fresh embedded PostgreSQL under .data/bench-<pid> (deleted at the end), migrated and
   seeded with bulk SQL (bench/seed.py).
2. The gateway (`gateway serve`, production settings) and then the floor (bench/floor.py)
   run in their own uvicorn process pinned to core 0; PostgreSQL, the load generator
   (bench/load.py) and this process share core 1.
3. Per scenario: one answer is checked, then N connections drive it for a fixed time.
   SQL statements per request are counted in process (bench/scenarios.py), and the product
   scenarios' statements run once more under EXPLAIN (ANALYZE, BUFFERS) (bench/explain.py).

See bench/README.md for how to read the table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import billing, explain, report, servers
from bench import scenarios as sc
from bench.seed import HEAVY_EMAIL, LIGHT_EMAIL, PASSWORD, Seeded, Sizes, seed
from gateway.db.engine import create_engine
from gateway.db.migrate import upgrade
from gateway.embedded_pg import EmbeddedPostgres
from gateway.settings import PROJECT_ROOT
from schema.common import encode_id

SECRET_KEY = "bench-secret-key-not-used-anywhere-else-0123456789"  # noqa: S105 (a throwaway database)
GATEWAY_SCENARIOS = ("a", "b", "d", "d-token", "e", "f", "g", "h", "viewer", "logIn")
BUDGETS_OFF = "viewer-off"  # (viewer) on a gateway with budgets switched off: the price of the budget check
# The same operations on a gateway with compiled reads off: graphql-core and the loaders answer them.
STANDARD = {"a-std": "a", "d-std": "d", "viewer-std": "viewer"}
EXPLAINED = ("d", "e", "f")  # their statements, captured with their parameters, run under EXPLAIN ANALYZE
FLOOR_SCENARIOS = ("c", "c-sql")
ALL_SCENARIOS = (*GATEWAY_SCENARIOS, BUDGETS_OFF, *STANDARD, *FLOOR_SCENARIOS)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(f"BENCH_{name}", default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(f"BENCH_{name}", default))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--orgs", type=int, default=env_int("ORGS", 2000), help="organizations (BENCH_ORGS)")
    add("--users", type=int, default=env_int("USERS", 5000), help="users (BENCH_USERS)")
    add("--memberships", type=int, default=env_int("MEMBERSHIPS", 20000), help="memberships (BENCH_MEMBERSHIPS)")
    add("--audit-per-org", type=int, default=env_int("AUDIT_PER_ORG", 5), help="audit entries per organization")
    add("--heavy-orgs", type=int, default=env_int("HEAVY_ORGS", 60), help="organizations of the heavy user (>= 50)")
    add("--products", type=int, default=env_int("PRODUCTS", 10000), help="products of the big organization (d, e)")
    add("--small-products", type=int, default=env_int("SMALL_PRODUCTS", 100), help="of the small one (d's SQL check)")
    add("--products-per-org", type=int, default=env_int("PRODUCTS_PER_ORG", 20), help="in each agency organization (f)")
    add("--invoices", type=int, default=env_int("INVOICES", 100000), help="of the invoices organization (g)")
    add("--small-invoices", type=int, default=env_int("SMALL_INVOICES", 1000), help="of the other (g's SQL check)")
    add("--pay-orders", type=int, default=env_int("PAY_ORDERS", 3000), help="orders waiting for payment (h)")
    add("--pay-funded", type=int, default=env_int("PAY_FUNDED", 300), help="of them the prepaid balance covers")
    add("--pay-duplicates", type=int, default=env_int("PAY_DUPLICATES", 10), help="(h) requests sent twice at once")
    add("--search", default=os.environ.get("BENCH_SEARCH", ""), help="the term of (e); default: in ~1%% of names")
    add("--seconds", type=float, default=env_float("SECONDS", 10), help="timed window per scenario (BENCH_SECONDS)")
    add("--warmup", type=float, default=env_float("WARMUP", 2), help="untimed load before each window")
    add("--connections", type=int, default=env_int("CONNECTIONS", 8), help="concurrent keep-alive connections")
    add(
        "--only",
        default="",
        help="comma-separated, of " + ",".join(ALL_SCENARIOS),
    )
    add("--show-sql", action="store_true", help="print the SQL of one scenario (a) request")
    add("--show-plans", action="store_true", help="print the EXPLAIN ANALYZE plans of (d), (e) and (f) in full")
    args = parser.parse_args(argv)
    unknown = set(filter(None, args.only.split(","))) - set(ALL_SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.search and not (args.search.isprintable() and 3 <= len(args.search.strip()) <= 100):
        parser.error("--search: 3 to 100 printable characters")
    if not 0 < args.seconds <= 120 or not 0 <= args.warmup <= 30 or not 1 <= args.connections <= 256:
        parser.error("--seconds in (0, 120], --warmup in [0, 30], --connections in [1, 256]")
    return args


def build_scenarios(seeded: Seeded, sizes: Sizes, heavy: str, light: str, bill: str, partner: str) -> list[sc.Scenario]:
    bills = seeded.billing
    big_invoices = {"id": encode_id("Organization", bills.big_org_id)}
    small_invoices = {"id": encode_id("Organization", bills.small_org_id)}
    g_check = billing.invoices_check(sizes.invoices, billing.INVOICES_BALANCE)
    g_small = billing.invoices_check(sizes.small_invoices, 0)  # no prepaid account: 0

    def pay(i: int) -> dict[str, Any]:
        return billing.pay_variables(bills, i)

    org_id = encode_id("Organization", seeded.heavy_org_id)
    log_in = {"input": {"email": HEAVY_EMAIL, "password": PASSWORD}}
    a_check = sc.organizations_check(min(50, sizes.heavy_orgs))
    products = seeded.products
    big = {"id": encode_id("Organization", products.big_org_id)}
    small = {"id": encode_id("Organization", products.small_org_id)}
    search = {**big, "search": products.search}
    d_check, d_small = sc.products_check(sizes.products), sc.products_check(sizes.small_products)
    e_check = sc.products_check(products.search_matches, products.search)
    f_check = sc.expiring_check(min(sc.PAGE, products.heavy_expiring))
    f_light = sc.expiring_check(min(sc.PAGE, products.light_expiring))
    return [
        sc.Scenario("a", "gateway", "/graphql", sc.VIEWER_ORGANIZATIONS, {}, heavy, a_check),
        sc.Scenario("a-light", "gateway", "/graphql", sc.VIEWER_ORGANIZATIONS, {}, light, sc.organizations_check(5)),
        sc.Scenario("b", "gateway", "/graphql", sc.ORGANIZATION, {"id": org_id}, heavy, sc.organization_check),
        sc.Scenario("d", "gateway", "/graphql", sc.PRODUCTS, big, heavy, d_check),
        sc.Scenario("d-small", "gateway", "/graphql", sc.PRODUCTS, small, heavy, d_small),
        sc.Scenario("d-token", "gateway", "/graphql", sc.PRODUCTS, big, partner, d_check),
        sc.Scenario("e", "gateway", "/graphql", sc.PRODUCT_SEARCH, search, heavy, e_check),
        sc.Scenario("f", "gateway", "/graphql", sc.EXPIRING, {}, heavy, f_check),
        sc.Scenario("f-light", "gateway", "/graphql", sc.EXPIRING, {}, light, f_light),
        sc.Scenario("g", "gateway", "/graphql", billing.INVOICES, big_invoices, bill, g_check),
        sc.Scenario("g-small", "gateway", "/graphql", billing.INVOICES, small_invoices, bill, g_small),
        sc.Scenario("h", "gateway", "/graphql", billing.PAY_ORDER, pay(2), bill, billing.pay_check, warm=pay(1)),
        sc.Scenario("viewer", "gateway", "/graphql", sc.VIEWER, {}, heavy, sc.viewer_check(HEAVY_EMAIL)),
        sc.Scenario("logIn", "gateway", "/graphql", sc.LOG_IN, log_in, None, sc.log_in_check),
        sc.Scenario("c", "floor", "/graphql", sc.VIEWER_ORGANIZATIONS, {}, heavy, a_check),
        sc.Scenario("c-sql", "floor", "/graphql-sql", sc.VIEWER_ORGANIZATIONS, {}, heavy, a_check),
    ]


def answer(server: servers.Server, scenario: sc.Scenario) -> dict[str, Any]:
    """One checked answer before timing; aborts the run when it is not a real one."""
    response = httpx.post(server.url + scenario.path, json=scenario.body(), headers=scenario.headers(), timeout=30)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if issue := sc.problem(scenario, response.status_code, body):
        raise SystemExit(f"bench: scenario {scenario.name} does not answer properly: {issue}")
    return body  # type: ignore[no-any-return]


def log_in(server: servers.Server, email: str) -> str:
    variables = {"input": {"email": email, "password": PASSWORD}}
    response = httpx.post(server.url + "/graphql", json={"query": sc.LOG_IN, "variables": variables}, timeout=30)
    token = (response.json().get("data") or {}).get("logIn", {}).get("sessionToken")
    if not token:
        raise SystemExit(f"bench: logIn as {email} failed: {response.text[:500]}")
    return str(token)


def integration_token(server: servers.Server, session: str, organization_id: uuid.UUID) -> str:
    """A partner's integration token for (d)'s organization, issued by its owner, reading products only."""
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    variables = {"input": {"organizationId": encode_id("Organization", organization_id), "name": "bench partner",
                           "expiresAt": expires, "rights": ["VIEW_PRODUCTS"]}}  # fmt: skip
    headers = {"Authorization": f"Bearer {session}"}
    response = httpx.post(
        server.url + "/graphql", json={"query": sc.CREATE_INTEGRATION_TOKEN, "variables": variables}, headers=headers
    )
    secret = ((response.json().get("data") or {}).get("createIntegrationToken") or {}).get("secret")
    if not secret:
        raise SystemExit(f"bench: createIntegrationToken failed: {response.text[:500]}")
    return str(secret)


def measure(
    server: servers.Server, scenario: sc.Scenario, args: argparse.Namespace, db_pid: int | None
) -> dict[str, Any]:
    spec = {
        "host": "127.0.0.1",
        "port": server.port,
        "path": scenario.path,
        "body": orjson.dumps(scenario.body()).decode(),
        "headers": scenario.headers(),
        "connections": args.connections,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "server_pid": server.pid,
        "db_pid": db_pid,
    }
    result = servers.drive(spec)
    if result["failures"]:
        raise SystemExit(
            f"bench: {scenario.name}: {result['failures']} bad answers under load: {result['first_failure']}"
        )
    if not result["requests"]:
        raise SystemExit(f"bench: {scenario.name}: no answer completed in the timed window")
    return result


def pay_run(
    server: servers.Server,
    scenario: sc.Scenario,
    bills: billing.Billing,
    sizes: Sizes,
    args: argparse.Namespace,
    db_pid: int | None,
    url: str,
    ledger: billing.Ledger,
) -> dict[str, Any]:
    """(h): order 3 paid and checked, the duplicate pairs (orders 4 on) sent at once, then every other
    order, each once, by N connections; afterwards the database checked against every answer."""
    ledger.add(answer(server, replace(scenario, variables=billing.pay_variables(bills, 3)))["data"]["payOrder"])
    first_dup, pairs = 4, sizes.pay_duplicates
    dup_wrong = asyncio.run(billing.duplicates(server.url, str(scenario.token), bills, first_dup, pairs, ledger))
    dup_orders = [bills.order_id(i) for i in range(first_dup, first_dup + pairs)]
    spec = {
        "host": "127.0.0.1",
        "port": server.port,
        "path": scenario.path,
        "body": "",
        "bodies": billing.bodies(bills, first_dup + pairs),
        "headers": scenario.headers(),
        "connections": args.connections,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "server_pid": server.pid,
        "db_pid": db_pid,
    }
    result = servers.drive(spec)
    if result["failures"]:
        raise SystemExit(f"bench: h: {result['failures']} bad answers under load: {result['first_failure']}")
    in_window: dict[str, int] = {}
    for _, measuring, text in result.pop("answers"):
        got = ledger.add(orjson.loads(text)["data"]["payOrder"])
        if measuring:
            in_window[got] = in_window.get(got, 0) + 1
    if not result["requests"]:
        raise SystemExit("bench: h: no answer completed in the timed window (--pay-orders too few?)")
    wrong, database = asyncio.run(billing.verify(url, bills, ledger, dup_orders))
    return {
        "measured": result,
        "in_window": in_window,
        "outcomes": ledger.outcomes,
        "database": database,
        "wrong": dup_wrong + wrong,
        "pairs": pairs,
    }


def run(args: argparse.Namespace, root: Path, pg: EmbeddedPostgres, timings: dict[str, float]) -> dict[str, Any]:
    sizes = Sizes(
        orgs=args.orgs,
        users=args.users,
        memberships=args.memberships,
        audit_per_org=args.audit_per_org,
        heavy_orgs=args.heavy_orgs,
        products=args.products,
        small_products=args.small_products,
        products_per_org=args.products_per_org,
        invoices=args.invoices,
        small_invoices=args.small_invoices,
        pay_orders=args.pay_orders,
        pay_funded=args.pay_funded,
        pay_duplicates=args.pay_duplicates,
    )
    if issue := sizes.problem():
        raise SystemExit(f"bench: {issue}")
    wanted = set(args.only.split(",")) if args.only else set(ALL_SCENARIOS)
    url = pg.start(database="gateway_bench")
    db_pid = servers.pin_postgres(pg.pgdata)
    started = time.perf_counter()
    asyncio.run(_migrate(url))
    seeded = asyncio.run(seed(url, sizes, args.search.strip().lower() or None))
    timings["seed"] = time.perf_counter() - started
    data_dir = root / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"seeded": seeded, "measured": {}}
    gateway = servers.gateway(url, SECRET_KEY, data_dir, root / "gateway.log")
    try:
        heavy, light = log_in(gateway, HEAVY_EMAIL), log_in(gateway, LIGHT_EMAIL)
        bill = log_in(gateway, billing.BILLING_EMAIL)
        partner = integration_token(gateway, heavy, seeded.products.big_org_id)
        scenarios = {s.name: s for s in build_scenarios(seeded, sizes, heavy, light, bill, partner)}
        on_gateway = [s for s in scenarios.values() if s.server == "gateway"]
        settings = sc.in_process_settings(url, SECRET_KEY, data_dir)
        results["counted"] = asyncio.run(sc.count_gateway_statements(settings, on_gateway))
        results["sql"] = {name: len(counted.statements) for name, counted in results["counted"].items()}
        explained = [name for name in EXPLAINED if name in wanted]
        results["plans"] = asyncio.run(explain.explain_all(url, {n: results["counted"][n] for n in explained}))
        timings["settle"] = asyncio.run(servers.settle(url))
        results["reference"] = answer(gateway, scenarios["a"])
        # (h)'s in-process count paid orders 1 and 2 (its checks say so): the ledger starts with them.
        ledger = billing.Ledger()
        for counted in (results["counted"]["h"].answer, None):
            if counted is None:
                ledger.succeeded[encode_id("Order", seeded.billing.order_id(1))] = {"(in process)"}
            else:
                ledger.add(counted["data"]["payOrder"])
        for name in GATEWAY_SCENARIOS:
            if name == "h" and name in wanted:
                results["payments"] = pay_run(gateway, scenarios["h"], seeded.billing, sizes, args, db_pid, url, ledger)
                results["measured"]["h"] = results["payments"]["measured"]
            elif name in wanted:
                answer(gateway, scenarios[name])
                results["measured"][name] = measure(gateway, scenarios[name], args, db_pid)
    finally:
        gateway.stop()
    if BUDGETS_OFF in wanted:
        unbudgeted = servers.gateway(url, SECRET_KEY, data_dir, root / "gateway-off.log", budgets=False)
        try:
            answer(unbudgeted, scenarios["viewer"])
            results["measured"][BUDGETS_OFF] = measure(unbudgeted, scenarios["viewer"], args, db_pid)
        finally:
            unbudgeted.stop()
    standard_wanted = [name for name in STANDARD if name in wanted]
    if standard_wanted:
        standard = servers.gateway(url, SECRET_KEY, data_dir, root / "gateway-std.log", compiled=False)
        try:
            for name in standard_wanted:
                answer(standard, scenarios[STANDARD[name]])
                results["measured"][name] = measure(standard, scenarios[STANDARD[name]], args, db_pid)
        finally:
            standard.stop()
    floor_wanted = [scenarios[n] for n in FLOOR_SCENARIOS if n in wanted]
    if floor_wanted:
        results["sql"].update(asyncio.run(sc.count_floor_statements(url, SECRET_KEY, floor_wanted)))
        floor = servers.floor(url, SECRET_KEY, root / "floor.log")
        try:
            for scenario in floor_wanted:
                got = answer(floor, scenario)
                if got.get("data") != results["reference"].get("data"):
                    where = _first_difference(got.get("data"), results["reference"].get("data"))
                    raise SystemExit(
                        f"bench: floor {scenario.name} does not answer what the gateway answers for (a): {where}"
                    )
                results["measured"][scenario.name] = measure(floor, scenario, args, db_pid)
        finally:
            floor.stop()
    return results


def _first_difference(a: Any, b: Any, path: str = "data") -> str:
    if type(a) is not type(b):
        return f"{path}: {str(a)[:200]} against {str(b)[:200]}"
    if isinstance(a, dict):
        for key in dict.fromkeys([*a, *b]):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items against {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {str(a)[:200]} against {str(b)[:200]}"


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def main() -> None:
    args = parse_args()
    servers.pin_self()
    started = time.perf_counter()
    timings: dict[str, float] = {"load_before": os.getloadavg()[0]}
    root = PROJECT_ROOT / ".data" / f"bench-{os.getpid()}"
    pg = EmbeddedPostgres(root / "pg")
    try:
        results = run(args, root, pg, timings)
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    report.print_report(args, results, timings)


if __name__ == "__main__":
    main()
