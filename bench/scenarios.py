"""What is timed: the operations, the check that one answer carries data, and SQL statements per request.

Statements are counted in process (create_app over httpx's ASGITransport, a SQLAlchemy
`after_cursor_execute` listener on the engine, counting under the request's context only, not
the app's background jobs): BEGIN/COMMIT of writes are not cursor executions and are
not counted. Each count is of the second of two identical
requests, so nothing warms up inside it; its statements are kept with their parameters
(for bench/explain.py) and its answer (for the notes under the table).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from bench import floor as floor_app
from bench.servers import BENCH_BUDGET
from gateway.app import create_app
from gateway.resources import Resources
from gateway.settings import KINDS, Budget, Budgets, Settings

VIEWER_ORGANIZATIONS = """query ViewerOrganizations { viewer { organizations(first: 50) { edges { role node {
  id name myMembership { role rights }
  members(first: 10) { totalCount edges { node { fullName email role } } } } } } } }"""
ORGANIZATION = """query Organization($id: ID!) { organization(id: $id) { name
  members(first: 20) { edges { node { fullName role } } }
  auditLog(first: 20) { edges { node { action createdAt actorName } } } } }"""
VIEWER = "query Viewer { viewer { user { id email fullName } } }"
LOG_IN = """mutation LogIn($input: LogInInput!) { logIn(input: $input) {
  sessionToken userErrors { code } } }"""
PRODUCTS = """query Products($id: ID!) { organization(id: $id) { products(first: 50) {
  edges { node { name status expiresAt addOns { name } } } totalCount } } }"""
PRODUCT_SEARCH = """query ProductSearch($id: ID!, $search: String!) { organization(id: $id) {
  products(first: 50, filter: {search: $search}) {
  edges { node { name status expiresAt addOns { name } } } totalCount } } }"""
EXPIRING = """query Expiring { viewer { expiringProducts(withinDays: 30, first: 50) {
  edges { node { name expiresAt organization { name } } } } } }"""
CREATE_INTEGRATION_TOKEN = """mutation CreateIntegrationToken($input: CreateIntegrationTokenInput!) {
  createIntegrationToken(input: $input) { secret userErrors { code } } }"""  # noqa: S105 (a document)
PAGE = 50
DAYS_30 = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    server: str  # "gateway" or "floor"
    path: str
    query: str
    variables: dict[str, Any]
    token: str | None
    check: Callable[[dict[str, Any]], str | None]  # what is wrong with a good-looking answer, or None
    statements: list[str] = field(default_factory=list)
    warm: dict[str, Any] | None = None  # the variables of the uncounted first request, when not the same

    def body(self) -> dict[str, Any]:
        return {"query": self.query, "variables": self.variables}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def problem(scenario: Scenario, status: int, answer: Any) -> str | None:
    if status != 200 or not isinstance(answer, dict):
        return f"HTTP {status}: {str(answer)[:500]}"
    if answer.get("errors"):
        return f"errors: {answer['errors']}"
    if not answer.get("data"):
        return "no data"
    return scenario.check(answer["data"])


def organizations_check(expected: int) -> Callable[[dict[str, Any]], str | None]:
    def check(data: dict[str, Any]) -> str | None:
        edges = data["viewer"]["organizations"]["edges"]
        if len(edges) != expected:
            return f"{len(edges)} organizations, expected {expected}"
        if not all(e["node"]["members"]["edges"] and e["node"]["myMembership"]["rights"] for e in edges):
            return "an organization without members or rights"
        return None

    return check


def organization_check(data: dict[str, Any]) -> str | None:
    org = data["organization"]
    if not (org["name"] and org["members"]["edges"] and org["auditLog"]["edges"]):
        return "organization without name, members or audit entries"
    return None


def viewer_check(email: str) -> Callable[[dict[str, Any]], str | None]:
    def check(data: dict[str, Any]) -> str | None:
        return None if data["viewer"]["user"]["email"] == email else f"viewer is {data['viewer']['user']['email']}"

    return check


def log_in_check(data: dict[str, Any]) -> str | None:
    payload = data["logIn"]
    return None if payload["sessionToken"] and not payload["userErrors"] else f"logIn refused: {payload}"


def products_check(total: int, search: str | None = None) -> Callable[[dict[str, Any]], str | None]:
    """A full first page, the organization's whole count, and for a search only names holding the term."""

    def check(data: dict[str, Any]) -> str | None:
        products = data["organization"]["products"]
        edges = products["edges"]
        if products["totalCount"] != total:
            return f"totalCount {products['totalCount']}, expected {total}"
        if len(edges) != min(PAGE, total):
            return f"{len(edges)} products, expected {min(PAGE, total)}"
        if not all(e["node"]["name"] and e["node"]["status"] and e["node"]["expiresAt"] for e in edges):
            return "a product without name, status or expiry"
        if search is not None and not all(search in e["node"]["name"].lower() for e in edges):
            return f"a product whose name does not hold {search!r}"
        return None

    return check


def expiring_check(expected: int) -> Callable[[dict[str, Any]], str | None]:
    """`expected` products (at least one), soonest first, all within 30 days, each with its organization."""

    def check(data: dict[str, Any]) -> str | None:
        edges = data["viewer"]["expiringProducts"]["edges"]
        if len(edges) != expected or not edges:
            return f"{len(edges)} expiring products, expected {expected} (and at least one)"
        when = [datetime.fromisoformat(e["node"]["expiresAt"]) for e in edges]
        if when != sorted(when) or not (datetime.now(UTC) <= when[0] and when[-1] <= datetime.now(UTC) + DAYS_30):
            return "expiring products out of order or outside the next 30 days"
        if not all(e["node"]["organization"]["name"] for e in edges):
            return "an expiring product without its organization"
        return None

    return check


def organizations_in(answer: dict[str, Any]) -> int:
    """Distinct organizations in an answer to EXPIRING."""
    return len({e["node"]["organization"]["name"] for e in answer["data"]["viewer"]["expiringProducts"]["edges"]})


def add_ons_in(answer: dict[str, Any]) -> tuple[int, int]:
    """(products with add-ons, add-ons) in an answer to PRODUCTS or PRODUCT_SEARCH."""
    edges = answer["data"]["organization"]["products"]["edges"]
    return sum(1 for e in edges if e["node"]["addOns"]), sum(len(e["node"]["addOns"]) for e in edges)


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    parameters: list[Any] = field(default_factory=list)  # as the driver got them, for EXPLAIN (bench/explain.py)
    all_checkouts: int = 0  # pool checkouts: reads autocommit; writes add BEGIN ... COMMIT around their statements
    answer: Any = None
    # The query cost budget's: a spend, and a refund when the answer used less than it asked (so it varies with
    # the data). Each runs alone on its own checkout; kept apart, so that the counts above compare.
    budget: list[str] = field(default_factory=list)

    @property
    def checkouts(self) -> int:
        return self.all_checkouts - len(self.budget)

    def statement(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "query_cost_buckets" in statement:
            self.budget.append(statement)
            return
        self.statements.append(statement)
        self.parameters.append(parameters)

    def checkout(self, *_: Any) -> None:
        self.all_checkouts += 1


REQUEST: ContextVar[Counted | None] = ContextVar("bench_request", default=None)


async def _post(client: httpx.AsyncClient, scenario: Scenario) -> Any:
    response = await client.post(scenario.path, json=scenario.body(), headers=scenario.headers())
    client.cookies.clear()
    if issue := problem(scenario, response.status_code, response.json()):
        raise SystemExit(f"bench: {scenario.name} (in process): {issue}")
    return response.json()


async def count_gateway_statements(settings: Settings, scenarios: list[Scenario]) -> dict[str, Counted]:
    """The SQL each scenario's request runs, keyed by scenario name.

    Only the request's own: the app's background tasks (the jobs' first round runs at start-up)
    share the engine, so a statement or checkout counts only under the request's context
    (REQUEST, which SQLAlchemy's greenlets and the loaders' tasks inherit).
    """
    counted: dict[str, Counted] = {}

    def statement(*args: Any) -> None:
        if (count := REQUEST.get()) is not None:
            count.statement(*args)

    def checkout(*args: Any) -> None:
        if (count := REQUEST.get()) is not None:
            count.checkout(*args)

    async with LifespanManager(create_app(settings)) as manager:
        resources: Resources = manager._state["resources"]
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 4711))
        event.listen(resources.engine.sync_engine, "after_cursor_execute", statement)
        event.listen(resources.engine.sync_engine.pool, "checkout", checkout)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for scenario in scenarios:
                    await _post(
                        client, scenario if scenario.warm is None else replace(scenario, variables=scenario.warm)
                    )
                    count = counted[scenario.name] = Counted()
                    token = REQUEST.set(count)  # ASGITransport runs the app in this task, under this context
                    try:
                        count.answer = await _post(client, scenario)
                    finally:
                        REQUEST.reset(token)
        finally:
            event.remove(resources.engine.sync_engine, "after_cursor_execute", statement)
            event.remove(resources.engine.sync_engine.pool, "checkout", checkout)
    return counted


async def count_floor_statements(database_url: str, secret_key: str, scenarios: list[Scenario]) -> dict[str, int]:
    counted: dict[str, int] = {}
    async with LifespanManager(floor_app.create_app(database_url, secret_key)) as manager:
        floor: floor_app.Floor = manager._state["floor"]
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for scenario in scenarios:
                await _post(client, scenario)
                before = floor.statements
                await _post(client, scenario)
                counted[scenario.name] = floor.statements - before
    return counted


def in_process_settings(database_url: str, secret_key: str, data_dir: Path) -> Settings:
    """What the served gateway reads from its GATEWAY_* variables (servers.gateway), as Settings."""
    return Settings(
        environment="production",
        database_url=database_url,
        secret_key=secret_key,
        data_dir=data_dir,
        cookie_secure=True,
        ip_attempts_per_minute=1_000_000_000,
        payment_provider="local-test",
        budgets=Budgets(**{kind: Budget(BENCH_BUDGET, BENCH_BUDGET, Budgets().of(kind).max_query) for kind in KINDS}),
    )
